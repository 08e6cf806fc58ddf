-- OSMS schema, version 2: mailboxes. The server relays end-to-end OTR messages between users and stores each one
-- until its recipient acknowledges it (or it expires). Bodies are OTR messages of the users' own conversations:
-- the server never holds a plaintext. Runs as the database owner on H2 and PostgreSQL alike (see V1).

-- One row per identity that has ever been sent a message: the next message number and what is waiting. Every send
-- and acknowledgement locks this row, so the limits are checked and the counters kept exactly, even under races.
-- No foreign key to identity (whose rows are never deleted): a mailbox is created in a transaction of its own, which
-- must not wait for the recipient's identity row while that row may be locked by one of the recipient's commands.
CREATE TABLE mailbox (
    identity_id   BIGINT  NOT NULL,
    next_seq      BIGINT  NOT NULL,
    message_count INTEGER NOT NULL,
    byte_count    BIGINT  NOT NULL,
    CONSTRAINT mailbox_pk PRIMARY KEY (identity_id),
    CONSTRAINT mailbox_counts CHECK (next_seq > 0 AND message_count >= 0 AND byte_count >= 0)
);

-- Waiting messages. seq numbers a mailbox's messages in the order they arrived (never reused). The sender is the
-- identity whose login conversation sent it, with the name it had and the fingerprint of the key it proved.
CREATE TABLE mailbox_message (
    recipient_id       BIGINT         NOT NULL,
    seq                BIGINT         NOT NULL,
    sender_id          BIGINT         NOT NULL,
    sender_username    VARCHAR(32)    NOT NULL,
    sender_fingerprint CHAR(40)       NOT NULL,
    received_at        BIGINT         NOT NULL,
    body               VARCHAR(65536) NOT NULL,
    CONSTRAINT mailbox_message_pk PRIMARY KEY (recipient_id, seq),
    CONSTRAINT mailbox_message_mailbox_fk FOREIGN KEY (recipient_id) REFERENCES mailbox (identity_id),
    CONSTRAINT mailbox_message_sender_fk FOREIGN KEY (sender_id) REFERENCES identity (id),
    CONSTRAINT mailbox_message_seq_positive CHECK (seq > 0)
);
-- retention: the expiry sweep looks for the oldest messages
CREATE INDEX mailbox_message_received_idx ON mailbox_message (received_at);

-- Senders an identity refuses to hear from. (blocked_id has no foreign key: checking it would lock the blocked
-- identity's row, and two identities blocking each other at once would deadlock.)
CREATE TABLE mailbox_block (
    owner_id   BIGINT NOT NULL,
    blocked_id BIGINT NOT NULL,
    blocked_at BIGINT NOT NULL,
    CONSTRAINT mailbox_block_pk PRIMARY KEY (owner_id, blocked_id),
    CONSTRAINT mailbox_block_owner_fk FOREIGN KEY (owner_id) REFERENCES identity (id),
    CONSTRAINT mailbox_block_not_self CHECK (owner_id <> blocked_id)
);

-- Messages are stored, read and deleted, never rewritten; a mailbox row is never deleted.
GRANT SELECT, INSERT, UPDATE ON mailbox         TO ${appUser};
GRANT SELECT, INSERT, DELETE ON mailbox_message TO ${appUser};
GRANT SELECT, INSERT, DELETE ON mailbox_block   TO ${appUser};
