-- A counter on each venture that moves whenever its members, their terms or its policy versions
-- change, so the application can keep a parsed copy of them until it does.
ALTER TABLE ventures ADD COLUMN book_version BIGINT NOT NULL DEFAULT 0;
