"""`manage.py recompute_progress [--player ID ...]`: rebuild the stored progress rows (daily
means, the player page's key metrics) from the swings' analyses, for every player or the ones
named. Run it after a change to what the means count, e.g. leaving out values the swing page
flags (analysis status "check", too uncertain, rate unknown)."""

from django.core.management.base import BaseCommand, CommandError

from swingvision.db.managers import SYSTEM, managers

PAGE = 1000


class Command(BaseCommand):
    help = "Rebuild stored progress rows from the analyses (every player, or --player ID ...)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--player", action="append", default=[], metavar="ID", help="only this player"
        )

    def handle(self, *args, **options):
        m = managers()
        if options["player"]:
            players = []
            for player_id in options["player"]:
                user = m.users.find(player_id)
                if user is None or user.role != "player":
                    raise CommandError(f"--player: no player with id {player_id!r}")
                players.append(user)
        else:
            players, offset = [], 0
            while batch := m.users.by_role(SYSTEM, "player", limit=PAGE, offset=offset):
                players += batch
                offset += PAGE
        days = 0
        for player in players:
            days += m.progress.recompute_player(player.id)
        self.stdout.write(
            self.style.SUCCESS(f"rebuilt {days} progress day(s) for {len(players)} player(s)")
        )
