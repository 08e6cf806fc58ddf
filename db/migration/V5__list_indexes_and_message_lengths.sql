-- OSMS schema, version 5. Runs as the database owner on H2 and PostgreSQL alike (see V1).
--
-- Indexes for the lists that `blocked` and `export` read a page at a time, in order of time, for one identity
-- (docs/protocol.md, "export"). Without them each page read every claim of every identity, and sorted all of an
-- identity's blocks.
CREATE INDEX username_claim_identity_idx ON username_claim (identity_id, claimed_at);
CREATE INDEX key_claim_identity_idx ON key_claim (identity_id, claimed_at);
CREATE INDEX mailbox_block_owner_time_idx ON mailbox_block (owner_id, blocked_at);

-- Every message's length beside its body: the sender's share of a mailbox (counted on every send once the mailbox is
-- past a quarter full), an ack and the retention's sweep computed LENGTH(body) of every message they counted (on
-- PostgreSQL, decompressing bodies stored out of line), under the mailbox's lock. Bodies are OTR messages, ASCII only,
-- so LENGTH(body) is the length the send counted. (An index by sender would spare the share's count the rest of the
-- mailbox's rows, but every send and ack would write it: on the embedded database, which writes its file at every
-- commit, the chat relay lost 12% of its rate with it.)
ALTER TABLE mailbox_message ADD COLUMN body_length INTEGER;
UPDATE mailbox_message SET body_length = LENGTH(body);
ALTER TABLE mailbox_message ALTER COLUMN body_length SET NOT NULL;
ALTER TABLE mailbox_message ADD CONSTRAINT mailbox_message_body_length CHECK (body_length = LENGTH(body));
