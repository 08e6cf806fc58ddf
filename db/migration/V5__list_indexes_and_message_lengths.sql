-- OSMS schema, version 5. Runs as the database owner on H2 and PostgreSQL alike (see V1).
--
-- Indexes for the lists that `blocked` and `export` read a page at a time, in order of time, for one identity
-- (docs/protocol.md, "export"). Without them each page read every claim of every identity, and sorted all of an
-- identity's blocks.
CREATE INDEX username_claim_identity_idx ON username_claim (identity_id, claimed_at);
CREATE INDEX key_claim_identity_idx ON key_claim (identity_id, claimed_at);
CREATE INDEX mailbox_block_owner_time_idx ON mailbox_block (owner_id, blocked_at);

-- Every message's length beside its body, and an index of a mailbox's messages by sender: the sender's share of a
-- mailbox (counted on every send once the mailbox is past a quarter full), an ack and the retention's sweep counted
-- lengths with LENGTH(body), reading up to 16 MiB of bodies for a send of a few bytes, under the mailbox's lock.
-- Bodies are OTR messages, ASCII only, so LENGTH(body) is the length the send counted.
ALTER TABLE mailbox_message ADD COLUMN body_length INTEGER;
UPDATE mailbox_message SET body_length = LENGTH(body);
ALTER TABLE mailbox_message ALTER COLUMN body_length SET NOT NULL;
ALTER TABLE mailbox_message ADD CONSTRAINT mailbox_message_body_length CHECK (body_length = LENGTH(body));
CREATE INDEX mailbox_message_sender_idx ON mailbox_message (recipient_id, sender_id);
