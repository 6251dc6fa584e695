-- E-mail for notifications, delivered from the database (an outbox), so that
-- several instances can send and nothing is lost when one stops.
--
-- A notification waits for mail while mailed_at and mail_gave_up_at are
-- both NULL. An instance claims it by setting mail_claimed_until (a lease,
-- Unix seconds) with compare-and-set; after a failure the same column holds
-- the time before which it is not tried again (the back-off).

ALTER TABLE notifications ADD COLUMN mailed_at BIGINT;
ALTER TABLE notifications ADD COLUMN mail_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN mail_error TEXT;
ALTER TABLE notifications ADD COLUMN mail_claimed_until BIGINT;
ALTER TABLE notifications ADD COLUMN mail_gave_up_at BIGINT;

-- Only the pending rows, which are few: the claim reads them oldest first.
CREATE INDEX notifications_mail_pending ON notifications(at, id)
    WHERE mailed_at IS NULL AND mail_gave_up_at IS NULL;
