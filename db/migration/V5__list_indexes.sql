-- OSMS schema, version 5: indexes for the lists that `blocked` and `export` read a page at a time, in order of time,
-- for one identity (docs/protocol.md, "export"). Without them each page read every claim of every identity, and
-- sorted all of an identity's blocks. Runs as the database owner on H2 and PostgreSQL alike (see V1).
CREATE INDEX username_claim_identity_idx ON username_claim (identity_id, claimed_at);
CREATE INDEX key_claim_identity_idx ON key_claim (identity_id, claimed_at);
CREATE INDEX mailbox_block_owner_time_idx ON mailbox_block (owner_id, blocked_at);
