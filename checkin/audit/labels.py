"""The words for action codes, as organizers read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "event.update": _l("Changed the meeting's details"),
    "mode.switch": _l("Switched the meeting's mode"),
    "stream.set": _l("Set the livestream links"),
    "stream.switch": _l("Switched the livestream"),
    "announcement.post": _l("Posted an announcement"),
    "quota.set": _l("Set a unit's quota by hand"),
    "quota.rules": _l("Replaced the quota rules"),
    "quota.allocate": _l("Allocated quotas by the rules"),
    "invitation.reissue": _l("Revoked and reissued an invitation"),
    "checkin.undo": _l("Undid a check-in"),
    "checkin.manual": _l("Checked someone in by hand"),
    "question.approve": _l("Approved a question"),
    "question.reject": _l("Rejected a question"),
    "question.edit": _l("Edited a question"),
    "question.answering": _l("Marked a question as being answered"),
    "question.answered": _l("Marked a question as answered"),
    "question.merge": _l("Merged questions"),
    "role.assign": _l("Gave a role in the meeting"),
    "role.revoke": _l("Took a role in the meeting away"),
    "device.revoke": _l("Revoked a gate device"),
    "link.revoke": _l("Revoked a unit's nomination link"),
    "task.add": _l("Added a preparation task"),
    "task.update": _l("Changed a preparation task"),
    "task.delete": _l("Removed a preparation task"),
    "task.handin": _l("Handed in a file for a task"),
    "task.remind": _l("E-mailed a task reminder"),
    "plan.template": _l("Added the tasks of a template"),
}
