"""How often "find similar positions" finds the same position on real labelled swings:
`manage.py similarity_report --real ../shared/data/golfdb-dev [--embedding v1|v2|both]`."""

from django.core.management.base import BaseCommand, CommandError

from analysis.engine.realset import load_set
from analysis.engine.similarity_report import (
    format_label_agreement,
    format_report,
    label_agreement,
    similarity_report,
)


class Command(BaseCommand):
    help = (
        "Search each labelled event pose of each real swing over other golfers' swings of the "
        "same view; report precision@1 and top-5 per event, the whole-swing measure, and how well the labels of one swing's two clips agree."
    )

    def add_arguments(self, parser):
        parser.add_argument("--real", required=True, help="a golfdb-dev style directory")
        parser.add_argument("--embedding", choices=("v1", "v2", "both"), default="both")

    def handle(self, *args, real: str, embedding: str = "both", **options):
        try:
            swings = load_set(real)
        except (FileNotFoundError, KeyError, ValueError) as e:
            raise CommandError(f"--real: {e}") from None
        names = ("v1", "v2") if embedding == "both" else (embedding,)
        self.stdout.write(format_report(similarity_report(swings, names)))
        self.stdout.write(format_label_agreement(label_agreement(swings)))
