-- Usernames and emails share one uniqueness space (issue #19): a login string names at most one
-- account, whichever it is typed as. The keys `username:<x>` and `email:<x>` become `login:<x>`;
-- usernames first, so where an older email equals another account's username, the username
-- keeps the key (the login lookup prefers a username match too).
INSERT INTO user_logins (login, user_id)
SELECT 'login:' || substr(login, 10), user_id FROM user_logins WHERE login LIKE 'username:%'
ON CONFLICT (login) DO NOTHING;

REFRESH TABLE user_logins;

INSERT INTO user_logins (login, user_id)
SELECT 'login:' || substr(login, 7), user_id FROM user_logins WHERE login LIKE 'email:%'
ON CONFLICT (login) DO NOTHING;

REFRESH TABLE user_logins;

DELETE FROM user_logins WHERE login LIKE 'username:%' OR login LIKE 'email:%';
