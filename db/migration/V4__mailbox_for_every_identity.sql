-- OSMS schema, version 4: every identity has its mailbox from the moment it is registered. Until now a mailbox row
-- was made by the first message sent to it, in a transaction of its own so that two first messages racing to one
-- recipient could not fail each other; that needed a second connection while the send held its first, and with
-- every pooled connection held by a waiting command the send waited for one in vain. Registration now stores the
-- mailbox with the identity (org.osms.messaging.Mailboxes), and this gives every identity registered before it the
-- mailbox it would have had: the same first row a new mailbox gets. Runs as the database owner on H2 and PostgreSQL
-- alike (see V1).
INSERT INTO mailbox (identity_id, next_seq, message_count, byte_count)
    SELECT i.id, 1, 0, 0 FROM identity i
    WHERE NOT EXISTS (SELECT 1 FROM mailbox m WHERE m.identity_id = i.id);
