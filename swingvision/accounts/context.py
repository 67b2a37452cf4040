"""Template context: the acting user."""


def current_user(request):
    return {"user": getattr(request, "user", None)}
