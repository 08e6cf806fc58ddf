-- OSMS schema, version 1: the identity directory, the append-only audit log and the server's OTR key.
-- Runs as the database owner, on H2 and PostgreSQL alike. ${appUser} is the application's own database account:
-- it receives only the privileges listed at the end, so the append-only rule holds even against the application.

-- Every username an identity has ever used. Rows are never updated or deleted, and the primary key stops a name
-- from ever being handed to a second identity (impersonation).
CREATE TABLE username_claim (
    username    VARCHAR(32) NOT NULL,
    identity_id BIGINT      NOT NULL,
    claimed_at  BIGINT      NOT NULL,
    CONSTRAINT username_claim_pk PRIMARY KEY (username),
    CONSTRAINT username_claim_owner_uq UNIQUE (username, identity_id),
    CONSTRAINT username_claim_canonical CHECK (username = LOWER(username) AND CHAR_LENGTH(username) BETWEEN 1 AND 32)
);

-- Every key fingerprint an identity has ever used: a key belongs to one identity, for good.
CREATE TABLE key_claim (
    fingerprint CHAR(40) NOT NULL,
    identity_id BIGINT   NOT NULL,
    claimed_at  BIGINT   NOT NULL,
    CONSTRAINT key_claim_pk PRIMARY KEY (fingerprint),
    CONSTRAINT key_claim_owner_uq UNIQUE (fingerprint, identity_id)
);

-- One row per identity: its current name and its one current public key (OTR serialized DSA key).
-- The current name and key must be claims of this very identity (composite foreign keys).
CREATE TABLE identity (
    id          BIGINT      NOT NULL,
    username    VARCHAR(32) NOT NULL,
    public_key  BYTEA,
    fingerprint CHAR(40),
    status      VARCHAR(16) NOT NULL,
    created_at  BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL,
    version     BIGINT      NOT NULL,
    CONSTRAINT identity_pk PRIMARY KEY (id),
    CONSTRAINT identity_username_uq UNIQUE (username),
    CONSTRAINT identity_fingerprint_uq UNIQUE (fingerprint),
    CONSTRAINT identity_id_positive CHECK (id > 0),
    CONSTRAINT identity_status_known CHECK (status IN ('ACTIVE', 'UNPUBLISHED', 'REVOKED', 'DELETED')),
    CONSTRAINT identity_key_iff_not_deleted CHECK (
        (status = 'DELETED' AND public_key IS NULL AND fingerprint IS NULL)
        OR (status <> 'DELETED' AND public_key IS NOT NULL AND fingerprint IS NOT NULL)),
    CONSTRAINT identity_username_claimed FOREIGN KEY (username, id) REFERENCES username_claim (username, identity_id),
    CONSTRAINT identity_key_claimed FOREIGN KEY (fingerprint, id) REFERENCES key_claim (fingerprint, identity_id)
);

-- The audit log. seq is contiguous from 1; prev_hash links each entry to the one before it, and its uniqueness
-- makes a fork of the chain impossible even if two writers raced past the chain-head lock.
CREATE TABLE audit_entry (
    seq                BIGINT      NOT NULL,
    recorded_at        BIGINT      NOT NULL,
    identity_id        BIGINT      NOT NULL,
    event              VARCHAR(32) NOT NULL,
    username_before    VARCHAR(32),
    username_after     VARCHAR(32),
    fingerprint_before CHAR(40),
    fingerprint_after  CHAR(40),
    public_key_before  BYTEA,
    public_key_after   BYTEA,
    prev_hash          BYTEA       NOT NULL,
    entry_hash         BYTEA       NOT NULL,
    CONSTRAINT audit_entry_pk PRIMARY KEY (seq),
    CONSTRAINT audit_entry_prev_hash_uq UNIQUE (prev_hash),
    CONSTRAINT audit_entry_hash_uq UNIQUE (entry_hash),
    CONSTRAINT audit_entry_seq_positive CHECK (seq > 0)
);
CREATE INDEX audit_entry_identity_idx ON audit_entry (identity_id, seq);

-- The chain head: one row, locked (SELECT ... FOR UPDATE) by every append so appends are serialised.
-- last_hash is NULL until the first entry exists.
CREATE TABLE audit_head (
    id        INTEGER NOT NULL,
    last_seq  BIGINT  NOT NULL,
    last_hash BYTEA,
    CONSTRAINT audit_head_pk PRIMARY KEY (id),
    CONSTRAINT audit_head_single CHECK (id = 1)
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, NULL);

-- The server's OTR long-term key pair (DSA), generated on first start.
CREATE TABLE server_key (
    id          INTEGER  NOT NULL,
    public_key  BYTEA    NOT NULL,
    private_key BYTEA    NOT NULL,
    fingerprint CHAR(40) NOT NULL,
    created_at  BIGINT   NOT NULL,
    CONSTRAINT server_key_pk PRIMARY KEY (id)
);

GRANT SELECT, INSERT         ON username_claim TO ${appUser};
GRANT SELECT, INSERT         ON key_claim      TO ${appUser};
GRANT SELECT, INSERT, UPDATE ON identity       TO ${appUser};
GRANT SELECT, INSERT         ON audit_entry    TO ${appUser};
GRANT SELECT, UPDATE         ON audit_head     TO ${appUser};
GRANT SELECT, INSERT         ON server_key     TO ${appUser};
