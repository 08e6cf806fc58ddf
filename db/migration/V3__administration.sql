-- OSMS schema, version 3: what an administrator can do (org.osms.admin) — suspend and reinstate identities, and
-- rotate the server's OTR key with a public, signed history of every key. Runs as the database owner on H2 and
-- PostgreSQL alike (see V1).

-- A suspension remembers the status it interrupted, so that reinstatement restores exactly that status. The
-- database refuses a suspension that forgets it, and a remembered status outside a suspension. (COALESCE: a CHECK
-- whose condition is NULL passes, and "NULL IN (...)" is NULL.)
ALTER TABLE identity ADD COLUMN status_before_suspension VARCHAR(16);
ALTER TABLE identity DROP CONSTRAINT identity_status_known;
ALTER TABLE identity ADD CONSTRAINT identity_status_known
    CHECK (status IN ('ACTIVE', 'UNPUBLISHED', 'REVOKED', 'DELETED', 'SUSPENDED'));
ALTER TABLE identity ADD CONSTRAINT identity_suspension_remembers CHECK (
    (status = 'SUSPENDED' AND COALESCE(status_before_suspension, '') IN ('ACTIVE', 'UNPUBLISHED'))
    OR (status <> 'SUSPENDED' AND status_before_suspension IS NULL));

-- Every key the server has had, in order (serial 1 is the first). Public (GET /pk/history) and append-only: a client
-- that pinned an old key follows the handovers from it to the current key. Each later key carries two signatures
-- over its handover statement (docs/protocol.md, "GET /pk/history"): one by the key before it, which authorises the
-- handover, and one by the new key itself. The first key has none.
CREATE TABLE server_key_history (
    serial                 BIGINT   NOT NULL,
    public_key             BYTEA    NOT NULL,
    fingerprint            CHAR(40) NOT NULL,
    created_at             BIGINT   NOT NULL,
    previous_key_signature BYTEA,
    key_signature          BYTEA,
    CONSTRAINT server_key_history_pk PRIMARY KEY (serial),
    CONSTRAINT server_key_history_fingerprint_uq UNIQUE (fingerprint),
    CONSTRAINT server_key_history_signed CHECK (
        (serial = 1 AND previous_key_signature IS NULL AND key_signature IS NULL)
        OR (serial > 1 AND previous_key_signature IS NOT NULL AND key_signature IS NOT NULL))
);
-- the key in use so far is the first of the history (its row's id is 1: V1 stored only that one)
INSERT INTO server_key_history (serial, public_key, fingerprint, created_at)
    SELECT id, public_key, fingerprint, created_at FROM server_key;

-- server_key now holds only the current key pair, under its serial: a rotation inserts the new pair and deletes the
-- old one, so the retired private key does not outlive its use. The history is never changed.
GRANT SELECT, INSERT ON server_key_history TO ${appUser};
GRANT DELETE         ON server_key         TO ${appUser};
