-- The reporting point under the Wet bescherming klokkenluiders (Wbk) and
-- directive 2019/1937 (docs/MELDPUNT.md): the 3-month clock also without an
-- acknowledgement, disclosing a reporter's identity only with their
-- consent or under a legal obligation, corrections to the minutes of an
-- oral report, and what an organisation tells its reporters.

-- The 3-month clock runs from the acknowledgement or, when none was sent,
-- from the end of the 7-day period (directive art. 9(1)(f)); a late
-- acknowledgement does not move it further. Every case gets its due day:
-- the acknowledgement's due day plus three months (month ends clamp, as
-- in integer_domain::case::feedback_due), or the earlier day it already
-- had from an acknowledgement in time.
UPDATE cases SET feedback_due = MIN(
    COALESCE(feedback_due, '9999-12-31'),
    MIN(date(ack_due, '+3 months'), date(ack_due, 'start of month', '+4 months', '-1 day'))
);

-- A request to disclose the identity says to whom (sealed; a team member
-- in recipient_person when the recipient reads it in Integer), why
-- (reason, sealed) and on which basis: the reporter's consent, asked and
-- answered in the mailbox, or a legal obligation with its ground (sealed)
-- and whether the reporter was told beforehand (informed_at) or why not
-- (sealed). States: integer_domain::disclosure::DisclosureState.
ALTER TABLE case_identity_requests ADD COLUMN basis TEXT NOT NULL DEFAULT 'consent';
ALTER TABLE case_identity_requests ADD COLUMN recipient BLOB;
ALTER TABLE case_identity_requests ADD COLUMN recipient_person INTEGER REFERENCES people(id);
ALTER TABLE case_identity_requests ADD COLUMN ground BLOB;
ALTER TABLE case_identity_requests ADD COLUMN asked_at INTEGER;
ALTER TABLE case_identity_requests ADD COLUMN answered_at INTEGER;
ALTER TABLE case_identity_requests ADD COLUMN answer_note BLOB;
ALTER TABLE case_identity_requests ADD COLUMN informed_at INTEGER;
ALTER TABLE case_identity_requests ADD COLUMN not_informed BLOB;
-- Requests from before: the one who asked was the recipient. A second
-- person's approval without the reporter's consent no longer opens the
-- identity ('lapsed'); a refusal then is a handler's refusal now.
UPDATE case_identity_requests SET recipient_person = requested_by;
UPDATE case_identity_requests SET state = 'lapsed' WHERE state = 'approved';
UPDATE case_identity_requests SET state = 'declined' WHERE state = 'refused';
CREATE INDEX case_identity_requests_case ON case_identity_requests (case_id, state);

-- Corrections the reporter proposes to the minutes of an oral report
-- before confirming them (directive art. 18), with the handler's answer;
-- an accepted one keeps the minutes as they were before (all sealed).
CREATE TABLE case_minutes_corrections (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    proposal BLOB NOT NULL,
    proposed_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    minutes_before BLOB,
    answer BLOB,
    answered_by INTEGER REFERENCES people(id),
    answered_at INTEGER
);
CREATE INDEX case_minutes_corrections_case ON case_minutes_corrections (case_id, id);
-- At most one proposal waits for an answer at a time.
CREATE UNIQUE INDEX case_minutes_corrections_pending ON case_minutes_corrections (case_id)
    WHERE state = 'pending';

-- What the organisation tells reporters, where it differs from its
-- preset's defaults (policies/meldpunt/<preset>.toml): one row per topic,
-- both languages. Public texts, so not sealed. `meldpunt_info` holds the
-- version for compare-and-set and who saved last (`person:ID`).
CREATE TABLE meldpunt_info (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE meldpunt_info_texts (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    topic TEXT NOT NULL,
    text_nl TEXT NOT NULL,
    text_en TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, topic)
);
