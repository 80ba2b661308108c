"""Who may change the workspace: roles from ``[netdash.roles]`` in Streamlit's secrets.

With sign-in on, ``.streamlit/secrets.toml`` may hold::

    [netdash.roles]
    "lead@example.org" = "admin"
    "example.org" = "editor"        # everyone with an e-mail address at example.org
    default = "viewer"              # everyone else who can sign in (the default default)

An exact e-mail address wins over its domain. ``viewer`` sees every page;
``editor`` may also upload, replace and delete datasets; ``admin`` has the
editor's rights (it is kept apart so that a deployment can name its
administrators now). Without a ``[netdash.roles]`` section everyone who signs
in is an editor, as before roles existed; without sign-in the local user is
an admin.
"""

from netdash.errors import InvalidInputError

__all__ = ["ROLES", "role_for", "can_change_data", "check_roles"]

ROLES = ("viewer", "editor", "admin")


def check_roles(rules):
    """``rules`` as ``{lower-case e-mail or domain: role}``; refuses an unknown role, saying where.

    Examples
    --------
    >>> check_roles({"A@X.org": "Editor", "default": "viewer"})
    {'a@x.org': 'editor', 'default': 'viewer'}
    """
    out = {}
    for who, role in dict(rules or {}).items():
        value = str(role).strip().lower()
        if value not in ROLES:
            raise InvalidInputError(f"[netdash.roles] in .streamlit/secrets.toml gives {who!r} the role {role!r}; "
                                    f"roles are {', '.join(ROLES)}. Correct it and restart the dashboard.")
        out[str(who).strip().lower().lstrip("@")] = value
    return out


def role_for(email, rules, *, signed_in=True):
    """The role of the person signed in with ``email``.

    Parameters
    ----------
    email : str or None
        The signed-in e-mail address (``st.user.email``).
    rules : mapping or None
        ``[netdash.roles]``; None when the section is absent.
    signed_in : bool
        False when sign-in is off: the local user is an admin.

    Examples
    --------
    >>> rules = {"lead@example.org": "admin", "example.org": "editor"}
    >>> role_for("Lead@Example.org", rules), role_for("sam@example.org", rules), role_for("x@other.org", rules)
    ('admin', 'editor', 'viewer')
    >>> role_for("x@other.org", None), role_for(None, rules, signed_in=False)
    ('editor', 'admin')
    """
    if not signed_in:
        return "admin"
    if rules is None:
        return "editor"
    rules = check_roles(rules)
    address = str(email or "").strip().lower()
    if address in rules:
        return rules[address]
    domain = address.rpartition("@")[2]
    if domain and "@" in address and domain in rules:
        return rules[domain]
    return rules.get("default", "viewer")


def can_change_data(role):
    """True for roles that may upload, replace and delete datasets (editor, admin)."""
    return role in ("editor", "admin")
