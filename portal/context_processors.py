from stakeholders.policies import actor_for


def portal(request):
    """What every page's header needs: the acting organisation and the language switch."""
    actor = actor_for(getattr(request, "user", None))
    return {"portal_actor": actor}
