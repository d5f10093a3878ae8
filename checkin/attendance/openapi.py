"""The OpenAPI 3 description of the gate API (served at ``/api/v1/openapi.json``)."""

from __future__ import annotations

_PERSON = {
    "type": "object", "nullable": True,
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"},
                   "position": {"type": "string"}, "unit": {"type": "string"},
                   "category": {"type": "string",
                                "enum": ["delegate", "guest", "press", "presidium"]}},
}

_RESULT = {
    "type": "object", "required": ["result", "message"],
    "properties": {
        "result": {"type": "string", "enum": ["checked_in", "already_checked_in", "revoked",
                                              "unknown", "wrong_event", "closed"]},
        "message": {"type": "string", "description": "For people, in their language."},
        "attendee": _PERSON,
        "first_checkin": {"type": "object", "nullable": True, "properties": {
            "at": {"type": "string", "format": "date-time"},
            "gate": {"type": "string", "nullable": True},
            "method": {"type": "string", "enum": ["scan", "manual", "self", "online"]}}},
        "flagged": {"type": "boolean",
                    "description": "An offline gate admitted someone already checked in."},
    },
}

_ERROR = {"type": "object", "properties": {"error": {"type": "string"},
                                           "message": {"type": "string"}}}

_ID = {"type": "integer", "format": "int32", "minimum": 1, "maximum": 2**31 - 1}
_EVENT = {"name": "event_id", "in": "path", "required": True, "schema": _ID}

_ERRORS = {
    "401": {"description": "No device token or session",
            "content": {"application/json": {"schema": _ERROR}}},
    "403": {"description": "Not allowed at this event",
            "content": {"application/json": {"schema": _ERROR}}},
    "404": {"description": "No such event", "content": {"application/json": {"schema": _ERROR}}},
    "503": {"description": "Busy, or the server cannot save (`error`: busy, cannot_save, "
                           "unavailable): keep the request and send it again after "
                           "`Retry-After` seconds",
            "content": {"application/json": {"schema": _ERROR}}},
}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "checkin gate API", "version": "1",
             "description": "Check-in at the hall's doors. Authenticate with a gate device "
                            "token (`checkin gate-token`) as `Authorization: Bearer <token>`, "
                            "or with a staff session plus `X-CSRFToken`. Gates send their own "
                            "clock as `X-Gate-Clock` (ISO 8601) with every request: the "
                            "server measures the offset and dates late scans by it."},
    "components": {"securitySchemes": {"device": {"type": "http", "scheme": "bearer"}}},
    "security": [{"device": []}],
    "paths": {
        "/events/{event_id}/checkins": {"post": {
            "summary": "Check in the holder of a scanned invitation",
            "parameters": [_EVENT],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["token"],
                "properties": {
                    "token": {"type": "string", "minLength": 1, "maxLength": 2048,
                              "pattern": "\\S",
                              "description": "The token, or the whole invitation URL read"},
                    "nonce": {"type": "string", "minLength": 8, "maxLength": 64,
                              "description": "Client-made id; a repeat returns the first "
                                             "answer"},
                    "gate": {"type": "string", "maxLength": 64,
                             "description": "Gate name (staff sessions)"},
                    "scanned_at": {"type": "string", "format": "date-time", "maxLength": 64,
                                   "description": "When the gate read it, by its own clock; "
                                                  "used only with queued or offline"},
                    "queued": {"type": "boolean",
                               "description": "Sent late from the gate's queue: scanned_at "
                                              "(corrected by the gate's clock offset) is "
                                              "kept if it falls in the gate's offline span; "
                                              "otherwise the server's time is used"},
                    "offline": {"type": "boolean",
                                "description": "The gate already admitted the person offline "
                                               "(implies queued)"},
                }}}}},
            "responses": {"200": {"description": "The answer, whatever it is",
                                  "content": {"application/json": {"schema": _RESULT}}},
                          "422": {"description": "Malformed request",
                                  "content": {"application/json": {"schema": _ERROR}}},
                          **_ERRORS},
        }},
        "/events/{event_id}/checkins/manual": {"post": {
            "summary": "Check in a person found by search",
            "parameters": [_EVENT],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["attendee_id"],
                "properties": {"attendee_id": _ID,
                               "nonce": {"type": "string", "maxLength": 64},
                               "gate": {"type": "string", "maxLength": 64}}}}}},
            "responses": {"200": {"description": "The answer",
                                  "content": {"application/json": {"schema": _RESULT}}},
                          **_ERRORS},
        }},
        "/events/{event_id}/attendees": {"get": {
            "summary": "Search people by name (diacritics optional), unit or phone",
            "parameters": [_EVENT, {"name": "q", "in": "query",
                                    "schema": {"type": "string", "maxLength": 2048}}],
            "responses": {"200": {"description": "Up to 30 people with their status"},
                          **_ERRORS},
        }},
        "/events/{event_id}/gate-list": {"get": {
            "summary": "The offline copy of the list (SHA-256 of tokens → name, unit)",
            "parameters": [_EVENT],
            "responses": {"200": {"description": "The list"}, **_ERRORS},
        }},
        "/events/{event_id}/attendance": {"get": {
            "summary": "Present against expected, per category and per unit",
            "parameters": [_EVENT],
            "responses": {"200": {"description": "The attendance board"}, **_ERRORS},
        }},
    },
}
