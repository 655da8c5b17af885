/*
 * store.c - SQLite connection, migrations, transactions, and the core tables:
 * people, inbound messages with their replies, per-person state, the
 * not-understood list.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

/*
 * Numbered migrations, each written once per engine side by side: schema
 * version N means migrations[0..N-1] have run (SQLite: PRAGMA user_version;
 * PostgreSQL: the one row of schema_version). `lite` is SQLite's text, `pg`
 * PostgreSQL's. Each `lite` starts with "-- " lines saying what it changes
 * and why: `yizhan migrate --check` shows them, on either engine, for the
 * migrations a database still needs.
 *
 * PostgreSQL came at schema PG_BASE: bot/schema_pg.sql is migrations
 * 1..PG_BASE consolidated, so those entries have no `pg` text. An empty
 * PostgreSQL database gets schema_pg.sql and then every later entry's `pg`,
 * an older one the later entries it lacks: new and upgraded databases take
 * the same path. Every entry after PG_BASE has both texts (tests/run
 * migrate checks it; docs/design.md, "How to add a migration").
 */
struct migration {
    const char *lite, *pg;
};
#define PG_BASE 22

static const struct migration migrations[] = {
    /* 1 */
    {"-- core\n"
     "CREATE TABLE people("
     " id INTEGER PRIMARY KEY,"
     " channel TEXT NOT NULL,"
     " ext_id TEXT NOT NULL,"
     " name TEXT,"
     " opted_out INTEGER NOT NULL DEFAULT 0,"
     " opt_changed_ms INTEGER,"
     " created_ms INTEGER NOT NULL,"
     " last_seen_ms INTEGER NOT NULL,"
     " UNIQUE(channel, ext_id));"
     "CREATE TABLE inbound("
     " id INTEGER PRIMARY KEY,"
     " channel TEXT NOT NULL,"
     " ext_id TEXT NOT NULL,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " text TEXT,"
     " intent TEXT,"
     " replies TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " UNIQUE(channel, ext_id));"
     "CREATE INDEX inbound_person ON inbound(person_id, created_ms);"
     "CREATE TABLE state("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " key TEXT NOT NULL,"
     " value TEXT NOT NULL,"
     " expires_ms INTEGER NOT NULL,"
     " PRIMARY KEY(person_id, key)) WITHOUT ROWID;"
     "CREATE TABLE unknown("
     " text TEXT PRIMARY KEY,"
     " count INTEGER NOT NULL,"
     " first_ms INTEGER NOT NULL,"
     " last_ms INTEGER NOT NULL);"
     "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);",
     NULL},
    /* 2 */
    {"-- outbox and broadcasts\n"
     "CREATE TABLE broadcasts("
     " id INTEGER PRIMARY KEY,"
     " text TEXT NOT NULL,"
     " audience TEXT NOT NULL,"
     " at_ms INTEGER NOT NULL,"
     " spread_ms INTEGER NOT NULL DEFAULT 0,"
     " recipients INTEGER NOT NULL DEFAULT 0,"
     " sms_parts INTEGER NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " cancelled_ms INTEGER);"
     "CREATE TABLE outbox("
     " id INTEGER PRIMARY KEY,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " channel TEXT NOT NULL,"
     " to_ext TEXT NOT NULL,"
     " klass TEXT NOT NULL CHECK(klass IN ('reply','transactional','bulk')),"
     " text TEXT NOT NULL,"
     " sent_text TEXT,"
     " idem_key TEXT NOT NULL UNIQUE,"
     " broadcast_id INTEGER REFERENCES broadcasts(id),"
     " status TEXT NOT NULL CHECK(status IN ('queued','held','sending','sent','failed','dead',"
     "'cancelled','merged')),"
     " merged_into INTEGER,"
     " attempts INTEGER NOT NULL DEFAULT 0,"
     " next_at_ms INTEGER NOT NULL,"
     " lease_until_ms INTEGER,"
     " last_error TEXT,"
     " ext_msg_id TEXT,"
     " created_ms INTEGER NOT NULL,"
     " updated_ms INTEGER NOT NULL,"
     " sent_ms INTEGER);"
     "CREATE INDEX outbox_due ON outbox(next_at_ms) WHERE status IN ('queued','held');"
     "CREATE INDEX outbox_lease ON outbox(lease_until_ms) WHERE status='sending';"
     "CREATE INDEX outbox_bc ON outbox(broadcast_id, status);"
     "CREATE INDEX outbox_to ON outbox(channel, to_ext, status);"
     "CREATE INDEX outbox_merged ON outbox(merged_into) WHERE merged_into IS NOT NULL;"
     "CREATE TABLE tags("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " tag TEXT NOT NULL,"
     " PRIMARY KEY(tag, person_id)) WITHOUT ROWID;",
     NULL},
    /* 3 */
    {"-- points ledger (append-only; the balance is the sum)\n"
     "CREATE TABLE points("
     " id INTEGER PRIMARY KEY,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " delta INTEGER NOT NULL,"
     " reason TEXT NOT NULL,"
     " ref TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " UNIQUE(person_id, ref));"
     "CREATE TRIGGER points_append_only_u BEFORE UPDATE ON points"
     " BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END;"
     "CREATE TRIGGER points_append_only_d BEFORE DELETE ON points"
     " BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END;",
     NULL},
    /* 4 */
    {"-- lessons (progress per person and lesson, days with an answer, daily\n"
     "-- subscriptions)\n"
     "CREATE TABLE lesson_progress("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " lesson_id INTEGER NOT NULL,"
     " shown_ms INTEGER NOT NULL,"
     " answers INTEGER NOT NULL DEFAULT 0,"
     " wrong INTEGER NOT NULL DEFAULT 0,"
     " first_right INTEGER,"
     " done_ms INTEGER,"
     " retry_at_ms INTEGER,"
     " PRIMARY KEY(person_id, lesson_id)) WITHOUT ROWID;"
     "CREATE INDEX lesson_progress_lesson ON lesson_progress(lesson_id);"
     "CREATE TABLE lesson_days("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " day TEXT NOT NULL,"
     " PRIMARY KEY(person_id, day)) WITHOUT ROWID;"
     "CREATE TABLE lesson_subs("
     " person_id INTEGER PRIMARY KEY REFERENCES people(id),"
     " minute INTEGER NOT NULL CHECK(minute BETWEEN 0 AND 1439),"
     " last_day TEXT,"
     " created_ms INTEGER NOT NULL);",
     NULL},
    /* 5 */
    {"-- courses with waitlist, activities with check-in codes, redemption items\n"
     "CREATE TABLE courses("
     " id INTEGER PRIMARY KEY,"
     " no INTEGER NOT NULL,"
     " title TEXT NOT NULL,"
     " provider TEXT NOT NULL DEFAULT '',"
     " place TEXT NOT NULL,"
     " start_ms INTEGER NOT NULL,"
     " end_ms INTEGER NOT NULL,"
     " capacity INTEGER NOT NULL CHECK(capacity >= 0),"
     " cost INTEGER NOT NULL DEFAULT 0 CHECK(cost >= 0),"
     " deadline_ms INTEGER NOT NULL,"
     " description TEXT NOT NULL DEFAULT '',"
     " created_ms INTEGER NOT NULL,"
     " cancelled_ms INTEGER);"
     "CREATE INDEX courses_start ON courses(start_ms);"
     "CREATE TABLE bookings("
     " id INTEGER PRIMARY KEY,"
     " course_id INTEGER NOT NULL REFERENCES courses(id),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " status TEXT NOT NULL CHECK(status IN ('seat','offered','waiting','cancelled','expired',"
     "'declined')),"
     " cost INTEGER NOT NULL DEFAULT 0,"
     " paid_ref TEXT,"
     " offer_until_ms INTEGER,"
     " attended_ms INTEGER,"
     " seat_ms INTEGER,"
     " created_ms INTEGER NOT NULL,"
     " updated_ms INTEGER NOT NULL);"
     "CREATE UNIQUE INDEX bookings_live ON bookings(course_id, person_id)"
     " WHERE status IN ('seat','offered','waiting');"
     "CREATE INDEX bookings_person ON bookings(person_id, status);"
     "CREATE INDEX bookings_course ON bookings(course_id, status, id);"
     "CREATE TABLE activities("
     " id INTEGER PRIMARY KEY,"
     " title TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " code TEXT NOT NULL UNIQUE,"
     " start_ms INTEGER NOT NULL,"
     " end_ms INTEGER NOT NULL,"
     " points INTEGER NOT NULL DEFAULT 0 CHECK(points >= 0),"
     " course_id INTEGER REFERENCES courses(id),"
     " created_ms INTEGER NOT NULL);"
     "CREATE TABLE checkins("
     " activity_id INTEGER NOT NULL REFERENCES activities(id),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " created_ms INTEGER NOT NULL,"
     " PRIMARY KEY(activity_id, person_id)) WITHOUT ROWID;"
     "CREATE TABLE items("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL,"
     " description TEXT NOT NULL DEFAULT '',"
     " cost INTEGER NOT NULL CHECK(cost > 0),"
     " stock INTEGER NOT NULL CHECK(stock >= 0),"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_ms INTEGER NOT NULL);"
     "CREATE TABLE redemptions("
     " id INTEGER PRIMARY KEY,"
     " item_id INTEGER NOT NULL REFERENCES items(id),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " cost INTEGER NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " handed_ms INTEGER);",
     NULL},
    /* 6 */
    {"-- desk (service desk tickets, volunteers, mentoring pairs) and members\n"
     "CREATE TABLE desk_volunteers("
     " id INTEGER PRIMARY KEY,"
     " person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),"
     " name TEXT NOT NULL,"
     " desks TEXT NOT NULL," /* ",legal,counsel," */
     " hours TEXT NOT NULL DEFAULT ''," /* '' = the desk's configured hours */
     " active INTEGER NOT NULL DEFAULT 1,"
     " last_offer_ms INTEGER NOT NULL DEFAULT 0,"
     " created_ms INTEGER NOT NULL);"
     "CREATE TABLE desk_tickets("
     " id INTEGER PRIMARY KEY,"
     " desk TEXT NOT NULL CHECK(desk IN ('legal','tutoring','counsel')),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " status TEXT NOT NULL CHECK(status IN ('open','taken','closed')),"
     " volunteer_id INTEGER REFERENCES desk_volunteers(id),"
     " offered_to INTEGER REFERENCES desk_volunteers(id),"
     " offers INTEGER NOT NULL DEFAULT 0,"
     " offered_ms INTEGER,"
     " crisis INTEGER NOT NULL DEFAULT 0,"
     " created_ms INTEGER NOT NULL,"
     " taken_ms INTEGER,"
     " answered_ms INTEGER,"
     " closed_ms INTEGER,"
     " escalated_ms INTEGER,"
     " rating INTEGER CHECK(rating BETWEEN 1 AND 5),"
     " rated_ms INTEGER);"
     "CREATE INDEX desk_tickets_person ON desk_tickets(person_id, status);"
     "CREATE INDEX desk_tickets_status ON desk_tickets(status, created_ms);"
     "CREATE TABLE mentoring("
     " id INTEGER PRIMARY KEY,"
     " worker_id INTEGER NOT NULL REFERENCES people(id),"
     " mentor_id INTEGER NOT NULL REFERENCES people(id),"
     " mentor_name TEXT,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_ms INTEGER NOT NULL,"
     " last_contact_ms INTEGER,"
     " flagged_ms INTEGER,"
     " UNIQUE(worker_id, mentor_id));"
     "CREATE TABLE desk_messages("
     " id INTEGER PRIMARY KEY,"
     " ticket_id INTEGER REFERENCES desk_tickets(id),"
     " pair_id INTEGER REFERENCES mentoring(id),"
     " side TEXT NOT NULL CHECK(side IN ('worker','volunteer','mentor')),"
     " text TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL);"
     "CREATE INDEX desk_messages_ticket ON desk_messages(ticket_id, id);"
     "CREATE TABLE members("
     " id INTEGER PRIMARY KEY,"
     " person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),"
     " name TEXT,"
     " org TEXT NOT NULL,"
     " contact TEXT,"
     " city TEXT,"
     " lat REAL,"
     " lon REAL,"
     " checkin_ms INTEGER,"
     " created_ms INTEGER NOT NULL);"
     "CREATE INDEX members_city ON members(city);",
     NULL},
    /* 7 */
    {"-- reports (随手拍): reports, their history and their photos\n"
     "CREATE TABLE reports("
     " id INTEGER PRIMARY KEY,"
     " code TEXT NOT NULL UNIQUE,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " description TEXT,"
     " lat REAL, lon REAL, loc_source TEXT,"
     " status TEXT NOT NULL CHECK(status IN ('received','accepted','rejected','in_progress',"
     "'resolved','merged')),"
     " photo_status TEXT NOT NULL DEFAULT 'none' CHECK(photo_status IN ('none','pending','ok',"
     "'failed')),"
     " reason TEXT,"
     " merged_into INTEGER REFERENCES reports(id),"
     " dup_of INTEGER REFERENCES reports(id),"
     " reopened INTEGER NOT NULL DEFAULT 0,"
     " resolved_ms INTEGER,"
     " followup_ms INTEGER,"
     " followup_answer TEXT,"
     " created_ms INTEGER NOT NULL,"
     " updated_ms INTEGER NOT NULL);"
     "CREATE INDEX reports_person ON reports(person_id, created_ms);"
     "CREATE INDEX reports_created ON reports(created_ms);"
     "CREATE INDEX reports_followup ON reports(resolved_ms)"
     " WHERE status='resolved' AND followup_ms IS NULL;"
     "CREATE TABLE report_history("
     " id INTEGER PRIMARY KEY,"
     " report_id INTEGER NOT NULL REFERENCES reports(id),"
     " status TEXT NOT NULL,"
     " actor TEXT NOT NULL,"
     " note TEXT,"
     " created_ms INTEGER NOT NULL);"
     "CREATE INDEX report_history_report ON report_history(report_id, id);"
     "CREATE TABLE report_media("
     " id INTEGER PRIMARY KEY,"
     " report_id INTEGER NOT NULL REFERENCES reports(id),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " url TEXT NOT NULL,"
     " declared_type TEXT,"
     " status TEXT NOT NULL CHECK(status IN ('pending','fetching','ok','failed')),"
     " attempts INTEGER NOT NULL DEFAULT 0,"
     " next_at_ms INTEGER NOT NULL,"
     " lease_until_ms INTEGER,"
     " last_error TEXT,"
     " sha256 TEXT, clean_sha256 TEXT, mime TEXT, bytes INTEGER,"
     " exif_lat REAL, exif_lon REAL,"
     " created_ms INTEGER NOT NULL,"
     " updated_ms INTEGER NOT NULL);"
     "CREATE INDEX report_media_due ON report_media(next_at_ms) WHERE status='pending';"
     "CREATE INDEX report_media_lease ON report_media(lease_until_ms) WHERE status='fetching';"
     "CREATE INDEX report_media_report ON report_media(report_id);"
     "CREATE INDEX report_media_url ON report_media(person_id, url);"
     "CREATE INDEX report_media_sha ON report_media(sha256);"
     "CREATE INDEX report_media_clean ON report_media(clean_sha256);",
     NULL},
    /* 8 */
    {"-- dashboard: course owners (roles), role points credits, indexes for daily stats\n"
     "ALTER TABLE courses ADD COLUMN owner TEXT NOT NULL DEFAULT 'union'"
     " CHECK(owner IN ('union','desk'));"
     "CREATE TABLE admin_credits("
     " id INTEGER PRIMARY KEY,"
     " role TEXT NOT NULL,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " delta INTEGER NOT NULL,"
     " ref TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL);"
     "CREATE INDEX admin_credits_role ON admin_credits(role, created_ms);"
     "CREATE INDEX inbound_created ON inbound(created_ms);"
     "CREATE INDEX people_created ON people(created_ms);"
     "CREATE INDEX outbox_sent ON outbox(sent_ms) WHERE sent_ms IS NOT NULL;"
     "CREATE INDEX bookings_created ON bookings(created_ms);",
     NULL},
    /* 9 */
    {"-- channels: linked accounts (绑定), link codes, delivery reports\n"
     "ALTER TABLE people ADD COLUMN account_id INTEGER REFERENCES people(id);"
     "CREATE INDEX people_account ON people(account_id) WHERE account_id IS NOT NULL;"
     "CREATE TABLE link_codes("
     " code TEXT PRIMARY KEY,"
     " account_id INTEGER NOT NULL REFERENCES people(id),"
     " expires_ms INTEGER NOT NULL);"
     "CREATE TABLE link_fails("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " at_ms INTEGER NOT NULL);"
     "CREATE INDEX link_fails_person ON link_fails(person_id, at_ms);"
     "ALTER TABLE outbox ADD COLUMN delivery_status TEXT;"
     "ALTER TABLE outbox ADD COLUMN delivered_ms INTEGER;"
     "CREATE INDEX outbox_ext_msg ON outbox(ext_msg_id) WHERE ext_msg_id IS NOT NULL;",
     NULL},
    /* 10 */
    {"-- lessons with media: a push's link and cover beside its text (JSON)\n"
     "ALTER TABLE outbox ADD COLUMN extra TEXT;",
     NULL},
    /* 11 */
    {"-- the account key (绑定) as an index: pushes, opt-outs and broadcast audiences look\n"
     "-- people up by coalesce(account_id, id); without this each lookup read the whole\n"
     "-- people table (a broadcast was quadratic).\n"
     "CREATE INDEX people_account_key ON people(coalesce(account_id, id), last_seen_ms);",
     NULL},
    /* 12 */
    {"-- the account key without last_seen_ms: every message moved that index entry\n"
     "-- (bench/inbound); an account has a row or three to sort.\n"
     "DROP INDEX people_account_key;"
     "CREATE INDEX people_account_key ON people(coalesce(account_id, id));",
     NULL},
    /* 13 */
    {"-- inbound by person served only a message count that no reply shows (the profile\n"
     "-- lists points, bookings, reports and push state); its entry landed on a random\n"
     "-- page for every message, a third of the bytes a batch wrote (bench/compare: 6.7\n"
     "-- -> 4.5 KB per message, +8% messages/s).\n"
     "DROP INDEX inbound_person;",
     NULL},
    /* 14 */
    {"-- 绑定 codes that cannot be guessed (issue 15): wrong guesses are counted per\n"
     "-- channel too (a global limit a minute) and against every live code (wrong),\n"
     "-- which dies after ACCOUNT_CODE_MAX_WRONG; the old 6-digit codes are dropped\n"
     "-- (their owners ask for a new one).\n"
     "ALTER TABLE link_fails ADD COLUMN channel TEXT;"
     "CREATE INDEX link_fails_channel ON link_fails(channel, at_ms);"
     "ALTER TABLE link_codes ADD COLUMN wrong INTEGER NOT NULL DEFAULT 0;"
     "DELETE FROM link_codes;",
     NULL},
    /* 15 */
    {"-- the dedupe key is (channel, ext_id, sender), and it lapses after\n"
     "-- INBOUND_DEDUPE_MS (store.h): keyed by (channel, ext_id) alone, another chat\n"
     "-- reusing a Telegram update_id got this one's stored replies (issue 15).\n"
     "-- person_id is now the sending people row (it was the account's canonical\n"
     "-- person; rows from before keep that, which differs only for linked accounts'\n"
     "-- messages). The inline UNIQUE needs the table rebuilt; the index count stays\n"
     "-- two (bench/inbound).\n"
     "CREATE TABLE inbound_new("
     " id INTEGER PRIMARY KEY,"
     " channel TEXT NOT NULL,"
     " ext_id TEXT NOT NULL,"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " text TEXT,"
     " intent TEXT,"
     " replies TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " UNIQUE(channel, ext_id, person_id));"
     "INSERT INTO inbound_new(id, channel, ext_id, person_id, text, intent, replies, created_ms)"
     " SELECT id, channel, ext_id, person_id, text, intent, replies, created_ms FROM inbound;"
     "DROP TABLE inbound;"
     "ALTER TABLE inbound_new RENAME TO inbound;"
     "CREATE INDEX inbound_created ON inbound(created_ms);",
     NULL},
    /* 16 */
    {"-- consent to bulk pushes (broadcasts): 'contact' once the person has written to\n"
     "-- the bot on this channel, else what an import recorded (POST /admin/api/members\n"
     "-- \"consent\"); NULL for a row only an admin call made (a volunteer, a mentoring\n"
     "-- pair), which gets no broadcast.\n"
     "ALTER TABLE people ADD COLUMN consent TEXT;"
     "UPDATE people SET consent='contact' WHERE id IN (SELECT person_id FROM inbound);",
     NULL},
    /* 17 */
    {"-- the general desk (人工 / 客服 / 找人: a person instead of the bot). SQLite cannot\n"
     "-- change a CHECK, so desk_tickets is rebuilt. foreign_keys cannot be turned off\n"
     "-- inside the migration's transaction, and dropping a parent with children counts\n"
     "-- violations that a rename does not undo: desk_messages (its only child) is set\n"
     "-- aside first and rebuilt after.\n"
     "CREATE TABLE desk_messages_copy AS SELECT * FROM desk_messages;"
     "DROP TABLE desk_messages;"
     "CREATE TABLE desk_tickets_new("
     " id INTEGER PRIMARY KEY,"
     " desk TEXT NOT NULL CHECK(desk IN ('legal','tutoring','counsel','general')),"
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " status TEXT NOT NULL CHECK(status IN ('open','taken','closed')),"
     " volunteer_id INTEGER REFERENCES desk_volunteers(id),"
     " offered_to INTEGER REFERENCES desk_volunteers(id),"
     " offers INTEGER NOT NULL DEFAULT 0,"
     " offered_ms INTEGER,"
     " crisis INTEGER NOT NULL DEFAULT 0,"
     " created_ms INTEGER NOT NULL,"
     " taken_ms INTEGER,"
     " answered_ms INTEGER,"
     " closed_ms INTEGER,"
     " escalated_ms INTEGER,"
     " rating INTEGER CHECK(rating BETWEEN 1 AND 5),"
     " rated_ms INTEGER);"
     "INSERT INTO desk_tickets_new SELECT * FROM desk_tickets;"
     "DROP TABLE desk_tickets;"
     "ALTER TABLE desk_tickets_new RENAME TO desk_tickets;"
     "CREATE INDEX desk_tickets_person ON desk_tickets(person_id, status);"
     "CREATE INDEX desk_tickets_status ON desk_tickets(status, created_ms);"
     "CREATE TABLE desk_messages("
     " id INTEGER PRIMARY KEY,"
     " ticket_id INTEGER REFERENCES desk_tickets(id),"
     " pair_id INTEGER REFERENCES mentoring(id),"
     " side TEXT NOT NULL CHECK(side IN ('worker','volunteer','mentor')),"
     " text TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL);"
     "INSERT INTO desk_messages SELECT * FROM desk_messages_copy;"
     "DROP TABLE desk_messages_copy;"
     "CREATE INDEX desk_messages_ticket ON desk_messages(ticket_id, id);",
     NULL},
    /* 18 */
    {"-- staff (issue 18): one account per staff member (Argon2id hash from libsodium),\n"
     "-- the chats linked to it for admin chat commands (and the one-time sign-in codes\n"
     "-- pushed there), an area on reports for per-area handlers, and the append-only\n"
     "-- audit trail: the triggers refuse every UPDATE and DELETE, whatever code asks.\n"
     "CREATE TABLE staff("
     " id INTEGER PRIMARY KEY,"
     " username TEXT NOT NULL UNIQUE,"
     " display_name TEXT NOT NULL,"
     " org TEXT NOT NULL CHECK(org IN ('union','university')),"
     " role TEXT NOT NULL,"
     " area TEXT,"
     " pwhash TEXT NOT NULL,"
     " disabled INTEGER NOT NULL DEFAULT 0,"
     " created_ms INTEGER NOT NULL,"
     " updated_ms INTEGER NOT NULL);"
     "CREATE TABLE staff_chats("
     " chat TEXT PRIMARY KEY,"
     " staff_id INTEGER NOT NULL REFERENCES staff(id));"
     "CREATE INDEX staff_chats_staff ON staff_chats(staff_id);"
     "ALTER TABLE reports ADD COLUMN area TEXT;"
     "CREATE TABLE audit("
     " id INTEGER PRIMARY KEY,"
     " at_ms INTEGER NOT NULL,"
     " actor TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " object TEXT,"
     " origin TEXT,"
     " status INTEGER NOT NULL);"
     "CREATE INDEX audit_at ON audit(at_ms);"
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
     "CREATE TABLE staff_codes("
     " staff_id INTEGER PRIMARY KEY REFERENCES staff(id),"
     " code_hash TEXT NOT NULL,"
     " expires_ms INTEGER NOT NULL,"
     " tries INTEGER NOT NULL DEFAULT 0);",
     NULL},
    /* 19 */
    {"-- 随手拍 routed like FixMyStreet. Categories the office edits (a worker picks one\n"
     "-- by number), the districts a report can be in, handling bodies with the\n"
     "-- (category, district) pairs they take (NULL: any), each report's category,\n"
     "-- district and body, and the 社区民情观察员 flag on a person.\n"
     "CREATE TABLE report_categories("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL UNIQUE,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_ms INTEGER NOT NULL);"
     "INSERT INTO report_categories(name, created_ms) VALUES"
     " ('井盖',0),('路灯',0),('消防通道',0),('占道',0),('其他',0);"
     "CREATE TABLE report_districts(name TEXT PRIMARY KEY);"
     "INSERT INTO report_districts VALUES ('襄城区'),('樊城区'),('襄州区'),('高新区'),"
     " ('东津新区'),('老河口市'),('枣阳市'),('宜城市'),('南漳县'),('谷城县'),('保康县');"
     "CREATE TABLE report_bodies("
     " id INTEGER PRIMARY KEY,"
     " code TEXT NOT NULL UNIQUE,"
     " name TEXT NOT NULL,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_ms INTEGER NOT NULL);"
     "CREATE TABLE report_routes("
     " body_id INTEGER NOT NULL REFERENCES report_bodies(id),"
     " category_id INTEGER REFERENCES report_categories(id),"
     " district TEXT REFERENCES report_districts(name));"
     "CREATE INDEX report_routes_body ON report_routes(body_id);"
     "ALTER TABLE reports ADD COLUMN category_id INTEGER REFERENCES report_categories(id);"
     "ALTER TABLE reports ADD COLUMN district TEXT;"
     "ALTER TABLE reports ADD COLUMN body_id INTEGER REFERENCES report_bodies(id);"
     "CREATE INDEX reports_body ON reports(body_id, created_ms);"
     "ALTER TABLE people ADD COLUMN observer_ms INTEGER;",
     NULL},
    /* 20 */
    {"-- understanding: a text answered with a numbered choice is recorded as asked;\n"
     "-- examples staff teach from the dashboard (the scorer reads them when meta\n"
     "-- taught_version changes)\n"
     "ALTER TABLE unknown ADD COLUMN asked INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE taught("
     " text TEXT PRIMARY KEY,"
     " intent TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL);",
     NULL},
    /* 21 */
    {"-- the people directory. person_fields holds the profile fields staff or an\n"
     "-- import set, on the account's key (coalesce(account_id, id)); saved_filters are\n"
     "-- named directory queries (a broadcast audience \"filter:<name>\"), filter_members\n"
     "-- the accounts a filter matched when a broadcast last resolved it. person_dir is\n"
     "-- one row per account with every field a broadcast may fill (people.h).\n"
     "CREATE TABLE person_fields("
     " person_id INTEGER NOT NULL REFERENCES people(id),"
     " key TEXT NOT NULL,"
     " value TEXT NOT NULL,"
     " updated_ms INTEGER NOT NULL,"
     " PRIMARY KEY(person_id, key)) WITHOUT ROWID;"
     "CREATE INDEX person_fields_kv ON person_fields(key, value);"
     "CREATE INDEX tags_person ON tags(person_id);" /* a person's tags, for the directory */
     "CREATE TABLE saved_filters("
     " name TEXT PRIMARY KEY,"
     " filter TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL);"
     "CREATE TABLE filter_members("
     " name TEXT NOT NULL,"
     " person_id INTEGER NOT NULL,"
     " PRIMARY KEY(name, person_id)) WITHOUT ROWID;"
     "CREATE VIEW person_dir AS SELECT a.aid AS id,"
     " coalesce((SELECT value FROM person_fields WHERE person_id=a.aid AND key='name'),"
     "  (SELECT m.name FROM members m JOIN people q ON q.id=m.person_id"
     "   WHERE coalesce(q.account_id, q.id)=a.aid AND m.name<>'' LIMIT 1),"
     "  (SELECT q.name FROM people q WHERE coalesce(q.account_id, q.id)=a.aid AND q.name<>''"
     "   ORDER BY q.last_seen_ms DESC LIMIT 1)) AS name,"
     " coalesce((SELECT value FROM person_fields WHERE person_id=a.aid AND key='phone'),"
     "  (SELECT q.ext_id FROM people q WHERE coalesce(q.account_id, q.id)=a.aid"
     "   AND q.channel IN ('kannel','twilio') LIMIT 1)) AS phone,"
     " (SELECT value FROM person_fields WHERE person_id=a.aid AND key='district') AS district,"
     " (SELECT value FROM person_fields WHERE person_id=a.aid AND key='platform') AS platform,"
     " coalesce((SELECT m.city FROM members m JOIN people q ON q.id=m.person_id"
     "   WHERE coalesce(q.account_id, q.id)=a.aid AND m.city<>'' LIMIT 1),"
     "  (SELECT value FROM person_fields WHERE person_id=a.aid AND key='city')) AS city,"
     " coalesce((SELECT m.org FROM members m JOIN people q ON q.id=m.person_id"
     "   WHERE coalesce(q.account_id, q.id)=a.aid LIMIT 1),"
     "  (SELECT value FROM person_fields WHERE person_id=a.aid AND key='org')) AS org,"
     " a.channels, a.joined_ms, a.last_seen_ms, a.opted_out, a.consent,"
     " (SELECT group_concat(t.tag, ',') FROM tags t JOIN people q ON q.id=t.person_id"
     "  WHERE coalesce(q.account_id, q.id)=a.aid) AS tags"
     " FROM (SELECT coalesce(account_id, id) AS aid, min(created_ms) AS joined_ms,"
     "  max(last_seen_ms) AS last_seen_ms, max(opted_out) AS opted_out,"
     "  group_concat(DISTINCT channel) AS channels, max(consent) AS consent"
     "  FROM people WHERE channel<>'erased' GROUP BY 1) a;"
     /* schedules (schedule.c): a monthly 报到 reminder, a push some days after
      * joining; schedule_runs marks a monthly period done. */
     "CREATE TABLE schedules("
     " id INTEGER PRIMARY KEY,"
     " kind TEXT NOT NULL CHECK(kind IN ('monthly_checkin','after_join')),"
     " text TEXT NOT NULL,"
     " day INTEGER NOT NULL,"
     " minute INTEGER NOT NULL,"
     " tag TEXT,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_ms INTEGER NOT NULL,"
     " cancelled_ms INTEGER);"
     "CREATE TABLE schedule_runs("
     " schedule_id INTEGER NOT NULL REFERENCES schedules(id),"
     " period TEXT NOT NULL,"
     " done_ms INTEGER NOT NULL,"
     " PRIMARY KEY(schedule_id, period)) WITHOUT ROWID;",
     NULL},
    /* content edited in the dashboard (live.h): every saved version of a file
     * of content/ or intents/, newest wins; body NULL is "back to the file as
     * shipped". max(id) is the version counter other processes poll. */
    {"CREATE TABLE content_versions("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " file TEXT NOT NULL,"
     " body TEXT,"
     " actor TEXT NOT NULL,"
     " note TEXT NOT NULL DEFAULT '',"
     " created_ms INTEGER NOT NULL);"
     "CREATE INDEX content_versions_file ON content_versions(file, id);",
     NULL},
    /* 23 */
    {"-- an explicit position for the lists shown in the order they were written,\n"
     "-- the districts and each body's routes: they were ordered by rowid, which\n"
     "-- PostgreSQL has no twin of (ctid, a row's place, moves when the row is\n"
     "-- updated). Existing rows keep their order.\n"
     "ALTER TABLE report_districts ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;"
     "UPDATE report_districts SET pos=rowid;"
     "ALTER TABLE report_routes ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;"
     "UPDATE report_routes SET pos=rowid;",
     /* the order they were listed in until now (ORDER BY ctid) */
     "ALTER TABLE report_districts ADD COLUMN pos bigint NOT NULL DEFAULT 0;"
     "UPDATE report_districts d SET pos=o.n FROM (SELECT ctid AS c,"
     " row_number() OVER (ORDER BY ctid) AS n FROM report_districts) o WHERE d.ctid=o.c;"
     "ALTER TABLE report_routes ADD COLUMN pos bigint NOT NULL DEFAULT 0;"
     "UPDATE report_routes r SET pos=o.n FROM (SELECT ctid AS c,"
     " row_number() OVER (ORDER BY ctid) AS n FROM report_routes) o WHERE r.ctid=o.c;"},
    /* 24 */
    {"-- each channel's send-rate bucket and platform pause (a 429's retry_after),\n"
     "-- one row per channel shared by every node on the database: the sender\n"
     "-- locks every row first in each of its transactions (store_rate_lock, in\n"
     "-- name order), so two nodes send no more than one channel's configured\n"
     "-- rate between them.\n"
     "CREATE TABLE send_rate(channel TEXT PRIMARY KEY, tokens REAL NOT NULL,"
     " last_ms INTEGER NOT NULL, paused_until_ms INTEGER NOT NULL DEFAULT 0);",
     "CREATE TABLE send_rate(channel text PRIMARY KEY, tokens double precision NOT NULL,"
     " last_ms bigint NOT NULL, paused_until_ms bigint NOT NULL DEFAULT 0);"},
    /* 25 */
    {"-- PostgreSQL only (several nodes on one database): lock_person(channel,\n"
     "-- ext_id), one person's lock as a batch takes it for each of its people in\n"
     "-- one statement (bot/store_nodes.c). Nothing on SQLite.\n",
     /* The account's canonical row FOR UPDATE; for a person with no row yet
      * the advisory lock their first message's turn holds while it makes
      * them, then the row again, which another node may have made while
      * this one waited. A VOLATILE function runs each statement in it with
      * a new snapshot (READ COMMITTED), so that second look sees the row a
      * single statement's snapshot, taken before the wait, would not. */
     "CREATE FUNCTION lock_person(lock_channel text, lock_user text) RETURNS bigint"
     " LANGUAGE plpgsql VOLATILE AS '"
     "DECLARE found_id bigint;"
     " BEGIN"
     " SELECT p.id INTO found_id FROM people p WHERE p.id=(SELECT coalesce(q.account_id, q.id)"
     " FROM people q WHERE q.channel=lock_channel AND q.ext_id=lock_user) FOR UPDATE;"
     " IF found_id IS NULL THEN"
     " PERFORM pg_advisory_xact_lock(1, hashtext(lock_channel || '' '' || lock_user));"
     " SELECT p.id INTO found_id FROM people p WHERE p.id=(SELECT coalesce(q.account_id, q.id)"
     " FROM people q WHERE q.channel=lock_channel AND q.ext_id=lock_user) FOR UPDATE;"
     " END IF;"
     " RETURN coalesce(found_id, 0);"
     " END';"},
    /* 26 */
    {"-- PostgreSQL only: lock_person takes the account's row FOR NO KEY UPDATE\n"
     "-- instead of FOR UPDATE. Two lockers still exclude each other, but an\n"
     "-- INSERT that only points at the person (an outbox push, a desk message:\n"
     "-- its foreign key check takes FOR KEY SHARE) no longer waits for the\n"
     "-- batch that holds them. Nothing on SQLite.\n",
     /* Migration 25's function with the weaker row lock; nothing updates
      * people.id, and a DELETE of a person takes the strongest lock itself.
      * Writers of a person's rows outside their turn lock them explicitly
      * (store_person_lock_id, store_people_lock_ids), not through a foreign
      * key. */
     "CREATE OR REPLACE FUNCTION lock_person(lock_channel text, lock_user text) RETURNS bigint"
     " LANGUAGE plpgsql VOLATILE AS '"
     "DECLARE found_id bigint;"
     " BEGIN"
     " SELECT p.id INTO found_id FROM people p WHERE p.id=(SELECT coalesce(q.account_id, q.id)"
     " FROM people q WHERE q.channel=lock_channel AND q.ext_id=lock_user) FOR NO KEY UPDATE;"
     " IF found_id IS NULL THEN"
     " PERFORM pg_advisory_xact_lock(1, hashtext(lock_channel || '' '' || lock_user));"
     " SELECT p.id INTO found_id FROM people p WHERE p.id=(SELECT coalesce(q.account_id, q.id)"
     " FROM people q WHERE q.channel=lock_channel AND q.ext_id=lock_user) FOR NO KEY UPDATE;"
     " END IF;"
     " RETURN coalesce(found_id, 0);"
     " END';"},
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* An unknown text counted inside a transaction, not yet written. */
struct unknown_hit {
    char *text;
    int64_t now;
    size_t seq; /* arrival order: the last one's asked is kept */
    bool asked;
};

/* A failed bind of a cached statement: its parameter and SQLite's code. */
struct bind_fault {
    int param, rc;
};

struct store {
    sqlite3 *db;                /* SQLite; NULL on PostgreSQL */
    PGconn *pg;                 /* PostgreSQL; NULL on SQLite */
    struct store_stmt *stmts;   /* by registry index; lite NULL until prepared */
    struct bind_fault *faults;  /* by registry index; param 0: none */
    size_t nprepared;
    size_t nfaults; /* statements with a fault: store_step looks only when > 0 */
    int version;
    int changes;         /* PostgreSQL: rows the last INSERT, UPDATE or DELETE changed */
    int backoff_ms;      /* PostgreSQL: wait between reconnection tries, 0 when up */
    int64_t retry_at;    /* PostgreSQL: no reconnection try before this (mono_ms) */
    int timeout_ms;      /* PostgreSQL: a statement's answer waited for at most (store_set_timeout) */
    char pg_err[512];    /* PostgreSQL: the last error */
    bool queued; /* store_watch_queues() */
    bool writing; /* holds write_mu: from store_begin to the end of its transaction */
    bool pg_txn;  /* PostgreSQL: from a BEGIN that ran to its COMMIT or ROLLBACK */
    struct unknown_hit *hits; /* unknown texts counted in this transaction (unknown_flush) */
    size_t nhits, hits_cap, hits_mark; /* hits_mark: nhits at the savepoint */
    bool id_known;    /* PostgreSQL: the statement run last returned its row's id ... */
    int64_t last_id;  /* ... this one (store_last_id) */
    char *id_tables;  /* PostgreSQL: " t1 t2 ... ", the tables with an id column */
    /* PostgreSQL: the people this transaction locked outside any savepoint
     * (store_person_lock), as "channel\0user\0" pairs: held to its end. */
    struct buf held;
    bool in_savepoint;
    int piped;           /* PostgreSQL: writes queued in pipeline mode, results not read */
    bool piped_failed;   /* PostgreSQL: one of them failed, this transaction */
    bool job_failed;     /* ... one a job queued: before piped_commit (store_queued_failed) */
    bool gave_up;        /* PostgreSQL: the connection given up on a timeout (store_lost) */
    int piped_commit;    /* PostgreSQL: the pipeline's first write queued by store_commit */
    bool rolled_back;    /* PostgreSQL: the last statement's answer was ROLLBACK */
    long sent, waits;    /* PostgreSQL: statements sent, round trips (store_wire_counts) */
    uint64_t gen;        /* the last statement handed out (store_generation) */
    /* the state rows of the people in sloaded, this transaction (store_state_get) */
    struct state_row *srows;
    size_t nsrows, scap;
    int64_t *sloaded;
    size_t nsloaded, slcap;
    /* PostgreSQL: a batch's arrivals read before its turns (store_arrivals_load) */
    struct arrival_pre *pre;
    size_t npre, precap;
};

static int unknown_flush(struct store *st);
static void unknown_forget(struct store *st, size_t keep);
static void arrivals_drop(struct store *st, const char *channel, const char *user);
static bool state_loaded(struct store *st, int64_t person);
static void state_mark(struct store *st, int64_t person);
static struct state_row *state_add(struct store *st, int64_t person, char *key, char *value,
                                   int64_t expires_ms);

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

/* The registry (store_int.h): the linker's bounds of section yz_sql. */
extern const struct store_sql __start_yz_sql[], __stop_yz_sql[];

const struct store_sql *store_sql_all(size_t *n)
{
    *n = (size_t)(__stop_yz_sql - __start_yz_sql);
    return __start_yz_sql;
}

size_t store_prepared(struct store *st)
{
    return st->nprepared;
}

static sqlite3_stmt *prepare(struct store *st, const struct store_sql *q, bool persistent)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, q->text, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s,
                           NULL) != SQLITE_OK) {
        log_err("store: prepare %s: %s: %s", q->where, sqlite3_errmsg(st->db), q->text);
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

/* Prepare every registered statement into the cache, and check that the
 * extra ones prepare too: at open, at the latest schema, so that SQL that
 * does not compile refuses to open instead of failing when first run. */
static int prepare_all(struct store *st, const struct store_sql *extra, size_t nextra)
{
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (st->stmts[i].lite != NULL)
            continue;
        if ((st->stmts[i].lite = prepare(st, &all[i], true)) == NULL)
            return -1;
        st->nprepared++;
    }
    for (size_t i = 0; i < nextra; i++) {
        sqlite3_stmt *s = prepare(st, &extra[i], false);
        if (s == NULL)
            return -1;
        sqlite3_finalize(s);
    }
    return 0;
}

static struct store_stmt *pg_fresh(struct store_stmt *h);

/*
 * The prepared statement of a registered statement, kept until
 * store_close(); it comes back reset with bindings cleared. Its position in
 * the registry is its index in the cache. A store opened at an older schema
 * (store_migrate_to) has not prepared them all: it prepares one on first use.
 */
/* Statements handed out by every store of the process (store_generation):
 * never the same number twice, so a store opened where a closed one was
 * never shows a number that store showed. */
static atomic_ullong generation;

static void next_generation(struct store *st)
{
    st->gen = atomic_fetch_add_explicit(&generation, 1, memory_order_relaxed) + 1;
}

uint64_t store_generation(struct store *st)
{
    return st->gen;
}

struct store_stmt *store_stmt(struct store *st, const struct store_sql *sql)
{
    size_t n;
    next_generation(st);
    const struct store_sql *all = store_sql_all(&n);
    if (sql < all || sql >= all + n) { /* not SQL(): a cast or a hand-made entry */
        log_err("store: statement not in the registry: %s", sql ? sql->text : "(null)");
        return NULL;
    }
    struct store_stmt *h = &st->stmts[sql - all];
    if (st->nfaults > 0 && st->faults[sql - all].param != 0) {
        st->faults[sql - all].param = 0;
        st->nfaults--;
    }
    if (st->pg != NULL)
        return pg_fresh(h);
    if (h->lite == NULL) {
        if ((h->lite = prepare(st, sql, true)) == NULL)
            return NULL;
        st->nprepared++;
        return h;
    }
    sqlite3_reset(h->lite);
    sqlite3_clear_bindings(h->lite);
    return h;
}

/*
 * Failed binds. A bind wrapper (store_int.h) has only the statement, whose
 * handle names its store. The fault is kept
 * in the statement's slot of its own store rather than in a thread-local
 * variable: a thread may bind two statements before stepping either (and
 * two stores: tests do), and a slot holds each statement's fault until
 * store_stmt hands it out afresh, with no capacity to overflow. A store is
 * used by one thread at a time, so its slots need no lock.
 */
/* s's index in st's cache, or -1. */
static ptrdiff_t slot_of(struct store *st, struct store_stmt *h)
{
    size_t n;
    store_sql_all(&n);
    return h >= st->stmts && h < st->stmts + n ? h - st->stmts : -1;
}

int store_bind_failed(struct store_stmt *h, int i, int rc)
{
    struct store *st = h->st;
    ptrdiff_t k = slot_of(st, h);
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    log_err("store: bind parameter %d of %s: %s", i, k >= 0 ? all[k].where : "?",
            sqlite3_errstr(rc));
    if (k >= 0 && st->faults[k].param == 0) {
        st->faults[k] = (struct bind_fault){i, rc};
        st->nfaults++;
    }
    return rc;
}

/* Whether a bind of s failed since store_stmt handed it out (logged). */
static bool bind_refused(struct store *st, struct store_stmt *s)
{
    if (st->nfaults == 0)
        return false;
    ptrdiff_t k = slot_of(st, s);
    if (k < 0 || st->faults[k].param == 0)
        return false;
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    log_err("store: %s not run: parameter %d did not bind (%s)", all[k].where,
            st->faults[k].param, sqlite3_errstr(st->faults[k].rc));
    return true;
}

/* --- PostgreSQL: the statements run through libpq (docs/scaling.md) --- */

/* Keep libpq's error text (its last line) for store_fail. */
static void pg_keep_err(struct store *st, const char *msg)
{
    snprintf(st->pg_err, sizeof st->pg_err, "%s", msg && *msg ? msg : "unknown error");
    st->pg_err[strcspn(st->pg_err, "\n")] = '\0';
}

/* Drop a handle's result (the statement is back before its first step). */
static void pg_drop_result(struct store_stmt *h)
{
    PQclear(h->res);
    h->res = NULL;
    h->row = -1;
}

/* A handle handed out afresh: no result, no parameters. */
static struct store_stmt *pg_fresh(struct store_stmt *h)
{
    pg_drop_result(h);
    for (int i = 0; i < h->nparams; i++) {
        free(h->params[i]);
        h->params[i] = NULL;
    }
    return h;
}

int store_pg_bind(struct store_stmt *h, int i, const char *text)
{
    if (i < 1 || i > h->nparams)
        return store_bind_failed(h, i, SQLITE_RANGE);
    free(h->params[i - 1]);
    h->params[i - 1] = text ? xstrdup(text) : NULL;
    return SQLITE_OK;
}

/* Whether a statement text writes the outbox or the photo queue: the
 * PostgreSQL stand-in for SQLite's update hook (store_watch_queues). */
static bool writes_queue(const char *text)
{
    const char *t = text + strspn(text, " \n");
    bool write = strncasecmp(t, "INSERT", 6) == 0 || strncasecmp(t, "UPDATE", 6) == 0 ||
                 strncasecmp(t, "DELETE", 6) == 0 || strncasecmp(t, "WITH", 4) == 0;
    return write && (strstr(text, "outbox") != NULL || strstr(text, "report_media") != NULL);
}

/*
 * SQLite's integers are 64-bit; PostgreSQL infers a parameter compared with
 * a small literal (`?2 = 0`) as a 32-bit integer, which refuses a time in
 * milliseconds. Whether prepared statement name has such parameters: their
 * types become bigint (pg_type.h: 20) for a second prepare.
 */
static bool widen_ints(struct store *st, const char *name, int n, Oid *types)
{
    bool widen = false;
    PGresult *d = PQdescribePrepared(st->pg, name);
    if (PQresultStatus(d) == PGRES_COMMAND_OK)
        for (int k = 0; k < n && k < PQnparams(d); k++)
            if (PQparamtype(d, k) == 21 || PQparamtype(d, k) == 23) { /* int2, int4 */
                types[k] = 20;
                widen = true;
            }
    PQclear(d);
    return widen;
}

/*
 * The tables of the connection's schema that have an id column, as
 * " t1 t2 ... " (st->id_tables; once per connection: a reconnection finds
 * the same schema).
 */
static int pg_id_tables(struct store *st)
{
    if (st->id_tables != NULL)
        return 0;
    PGresult *r = PQexec(st->pg, "SELECT table_name FROM information_schema.columns"
                                 " WHERE column_name = 'id' AND table_schema = current_schema()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pg_keep_err(st, PQresultErrorMessage(r));
        PQclear(r);
        return store_fail(st, "tables with an id");
    }
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, " ");
    for (int k = 0; k < PQntuples(r); k++)
        buf_printf(&b, "%s ", PQgetvalue(r, k, 0));
    PQclear(r);
    st->id_tables = buf_take(&b);
    return 0;
}

/*
 * Whether a statement is a one-row INSERT ... VALUES into a table with an id
 * column and no RETURNING of its own: it is prepared with RETURNING id, so
 * that store_last_id needs no second round trip (SELECT lastval() was one
 * statement in eleven a message on bench/inbound-pg: each new person, report
 * and ticket). Not for INSERT ... SELECT (a broadcast's fan-out would send
 * back an id per recipient). The ids are not rows to the callers (pg_step):
 * the text keeps SQLite's meaning.
 */
static bool pg_wants_id(struct store *st, const char *text)
{
    const char *t = text + strspn(text, " \n");
    if (st->id_tables == NULL || strncasecmp(t, "INSERT INTO ", 12) != 0 ||
        strcasestr(t, "RETURNING") != NULL || strstr(t, "VALUES") == NULL ||
        strcasestr(t, "SELECT") != NULL)
        return false;
    t += 12;
    size_t n = strcspn(t, "( \n");
    char name[80];
    if (n == 0 || n + 3 > sizeof name)
        return false;
    snprintf(name, sizeof name, " %.*s ", (int)n, t);
    return strstr(st->id_tables, name) != NULL;
}

/* Prepare registered statement i on the server as "s<i>", with the types
 * of parameters its text does not name (store_pg_param_types). */
static int pg_prepare(struct store *st, const struct store_sql *q, size_t i)
{
    struct store_stmt *h = &st->stmts[i];
    char *text = store_pg_text(q), *plain = store_pg_placeholders(q->text), name[32];
    if (text == NULL || plain == NULL) {
        free(text);
        free(plain);
        return -1;
    }
    int n = store_pg_nparams(plain);
    free(plain);
    Oid *types = xcalloc((size_t)n + 1, sizeof *types);
    store_pg_param_types(text, n, types);
    bool returns_id = pg_wants_id(st, text);
    if (returns_id) {
        size_t len = strlen(text);
        text = xrealloc(text, len + sizeof " RETURNING id");
        memcpy(text + len, " RETURNING id", sizeof " RETURNING id");
    }
    snprintf(name, sizeof name, "s%zu", i);
    PGresult *r = PQprepare(st->pg, name, text, n, types);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    Oid *wide = xcalloc((size_t)n + 1, sizeof *wide);
    memcpy(wide, types, (size_t)n * sizeof *wide);
    if (ok && widen_ints(st, name, n, wide)) { /* again, with them bigint */
        char drop[48];
        snprintf(drop, sizeof drop, "DEALLOCATE %s", name);
        ok = store_exec(st, drop) == 0;
        r = PQprepare(st->pg, name, text, n, wide);
        if (ok && PQresultStatus(r) != PGRES_COMMAND_OK) { /* a function wants int: as it was */
            PQclear(r);
            r = PQprepare(st->pg, name, text, n, types);
        }
        ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    free(wide);
    if (!ok)
        log_err("store: prepare %s on PostgreSQL: %s    %s", q->where, PQerrorMessage(st->pg),
                text);
    free(types);
    if (ok && h->params == NULL) {
        h->nparams = n;
        h->params = xcalloc((size_t)n + 1, sizeof *h->params);
        h->queue_write = writes_queue(text);
        h->row = -1;
    }
    h->returns_id = returns_id;
    free(text);
    h->ready = ok;
    return ok ? 0 : -1;
}

static int pg_prepare_all(struct store *st)
{
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    st->nprepared = 0;
    for (size_t i = 0; i < n; i++) {
        if (pg_prepare(st, &all[i], i) == -1)
            return -1;
        st->nprepared++;
    }
    return 0;
}

/* Milliseconds of a clock that never jumps (reconnection waits). */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Between failed reconnection tries: 250 ms, doubled up to this. A failover
 * (docs/failover.md) keeps every webhook at 500 until the next try after
 * the promotion, so the wait stays short; one try is one connection per
 * host named, which a server that is down or read-only refuses at once. */
#define PG_RETRY_MAX_MS 2000
#define STORE_TIMEOUT_MS 10000 /* conf.c's store.statement_timeout default */

/*
 * The connection is up, or is brought back: a server restarted, a failover
 * or a network cut leaves it CONNECTION_BAD, and the turn that met it failed
 * (its webhook answered 500, so the platform retries). The next statement
 * run here tries PQreset, which walks conninfo's hosts again (with
 * target_session_attrs=read-write it takes the one that is primary now),
 * and prepares every statement again on the new session; a failed try waits
 * 250 ms, 500 ms ... 2 s before the next, so a server that is down is not
 * hammered by every batch.
 */
static bool pg_up(struct store *st)
{
    if (PQstatus(st->pg) == CONNECTION_OK)
        return true;
    /* Never inside a transaction the server has lost: the rest of it would
     * run on a new connection, one statement at a time, and its COMMIT
     * would seem to succeed. Its statements and COMMIT fail until the
     * caller's COMMIT or ROLLBACK ends it; the next BEGIN reconnects. */
    if (st->pg_txn) {
        pg_keep_err(st, "PostgreSQL connection lost inside a transaction");
        return false;
    }
    int64_t now = mono_ms();
    if (now < st->retry_at) {
        pg_keep_err(st, "PostgreSQL connection down (waiting to reconnect)");
        return false;
    }
    PQreset(st->pg);
    if (PQstatus(st->pg) == CONNECTION_OK && pg_prepare_all(st) == 0) {
        log_info("store: reconnected to PostgreSQL (%s:%s)", PQhost(st->pg), PQport(st->pg));
        st->backoff_ms = 0;
        return true;
    }
    pg_keep_err(st, PQerrorMessage(st->pg));
    st->backoff_ms = st->backoff_ms == 0 ? 250 : st->backoff_ms * 2;
    if (st->backoff_ms > PG_RETRY_MAX_MS)
        st->backoff_ms = PG_RETRY_MAX_MS;
    st->retry_at = mono_ms() + st->backoff_ms;
    log_err("store: PostgreSQL down: %s; next try in %d ms", st->pg_err, st->backoff_ms);
    return false;
}

/* Wait until the statement's answer is in, or timeout_ms passed: 0 or -1.
 * PQexecPrepared waits on the socket for ever, and a primary frozen but not
 * dead (SIGSTOP, a hung VM: the kernel still acknowledges) never answers
 * nor closes: the writer, and every webhook behind it, hung with it
 * (docs/failover.md). */
static int pg_wait(struct store *st)
{
    int64_t until = mono_ms() + st->timeout_ms;
    struct pollfd p = {.fd = PQsocket(st->pg), .events = POLLIN};
    while (PQisBusy(st->pg)) {
        int64_t left = until - mono_ms();
        int n = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (n == -1 && errno == EINTR)
            continue;
        if (n == 0)
            return -1;
        if (n == -1 || !PQconsumeInput(st->pg))
            return 0; /* the connection's error comes with PQgetResult */
    }
    return 0;
}

/* PQexecPrepared, answered within timeout_ms or the connection given up: its
 * socket shut, so that libpq finds it closed (CONNECTION_BAD) and the next
 * BEGIN reconnects, as after a primary that died (pg_up). Whether a COMMIT
 * that timed out was done is then unknown: its batch is answered 500, and
 * the platforms' retries are replays if it was. The result, or NULL. */
/* Every store's statements and round trips on PostgreSQL (GET /metrics). */
static atomic_long wire_sent, wire_waits;

/* Count statements sent and round trips waited for (store_wire_counts). */
static void wire(struct store *st, int sent, int waits)
{
    st->sent += sent;
    st->waits += waits;
    atomic_fetch_add_explicit(&wire_sent, sent, memory_order_relaxed);
    atomic_fetch_add_explicit(&wire_waits, waits, memory_order_relaxed);
}

static PGresult *pg_exec_piped(struct store *st, const char *name, struct store_stmt *h);

static PGresult *pg_exec_prepared(struct store *st, const char *name, struct store_stmt *h)
{
    if (st->piped > 0)
        return pg_exec_piped(st, name, h);
    wire(st, 1, 1);
    if (!PQsendQueryPrepared(st->pg, name, h->nparams, (const char *const *)h->params, NULL,
                             NULL, 0)) {
        pg_keep_err(st, PQerrorMessage(st->pg));
        return NULL;
    }
    bool late = pg_wait(st) == -1;
    st->gave_up = st->gave_up || late;
    if (late)
        shutdown(PQsocket(st->pg), SHUT_RDWR);
    PGresult *res = NULL, *r;
    while ((r = PQgetResult(st->pg)) != NULL) { /* one result, then NULL */
        if (res == NULL && !late)
            res = r;
        else
            PQclear(r);
    }
    if (late) {
        char why[128];
        snprintf(why, sizeof why, "no answer from PostgreSQL in %d ms (store.statement_timeout)",
                 st->timeout_ms);
        pg_keep_err(st, why);
    } else if (res == NULL)
        pg_keep_err(st, PQerrorMessage(st->pg));
    return res;
}

/* Give the connection up after a pipeline that timed out or ended out of
 * step (as pg_exec_prepared after a timeout): the next BEGIN reconnects. */
static void pg_give_up(struct store *st, const char *why)
{
    shutdown(PQsocket(st->pg), SHUT_RDWR);
    pg_keep_err(st, why);
}

/* One result of the pipeline: the statement's own (h's) kept in *own, a
 * queued write's failure noted. Whether it was the pipeline's end. */
static bool pg_piped_result(struct store *st, PGresult *r, int k, bool is_own, PGresult **own)
{
    ExecStatusType t = PQresultStatus(r);
    if (t == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        return true;
    }
    if (is_own && *own == NULL) {
        *own = r;
        return false;
    }
    if (!is_own && t == PGRES_FATAL_ERROR && !st->piped_failed) {
        st->piped_failed = true;
        st->job_failed = k < st->piped_commit;
        pg_keep_err(st, PQresultErrorMessage(r));
        log_err("store: a queued write failed: %s", st->pg_err);
    }
    PQclear(r);
    return false;
}

/*
 * The queued writes' results (store_step_queued), and statement name's
 * after them when name is not NULL, in one round trip: name is sent into
 * the pipeline, then the Sync, then every result is read in order (each
 * statement's result, then a NULL; the Sync's last). A failed write aborts
 * what follows it up to the Sync, name included: name's result is then
 * NULL with the write's reason kept. Within timeout_ms as pg_exec_prepared.
 */
static PGresult *pg_exec_piped(struct store *st, const char *name, struct store_stmt *h)
{
    int n = st->piped;
    PGresult *own = NULL, *r;
    bool synced = false, late = false;
    st->piped = 0;
    wire(st, name != NULL, 1);
    if (name != NULL) {
        if (PQsendQueryPrepared(st->pg, name, h->nparams, (const char *const *)h->params, NULL,
                                NULL, 0))
            n++;
        else
            name = NULL;
    }
    if (!PQpipelineSync(st->pg)) {
        pg_give_up(st, PQerrorMessage(st->pg));
        return NULL;
    }
    /* k counts the statements whose results are in (a NULL ends each);
     * a connection that broke yields NULLs and no Sync: k passes n */
    for (int k = 0; !synced && k <= n;) {
        if (pg_wait(st) == -1) {
            late = true;
            break;
        }
        if ((r = PQgetResult(st->pg)) == NULL)
            k++;
        else
            synced = pg_piped_result(st, r, k, name != NULL && k == n - 1, &own);
    }
    st->gave_up = st->gave_up || late;
    if (late || !synced || !PQexitPipelineMode(st->pg)) {
        char why[160];
        snprintf(why, sizeof why, late ? "no answer from PostgreSQL in %d ms"
                                         " (store.statement_timeout)"
                                       : "PostgreSQL pipeline ended out of step (%d)",
                 late ? st->timeout_ms : n);
        pg_give_up(st, why);
        PQclear(own);
        return NULL;
    }
    if (st->piped_failed) { /* name did not run: the write's reason stands */
        PQclear(own);
        return NULL;
    }
    if (own == NULL && name == NULL && h != NULL)
        pg_keep_err(st, PQerrorMessage(st->pg));
    return own;
}

/* Writes queued before their results are collected anyway: libpq's
 * socket is blocking, and a server whose replies to a long pipeline filled
 * its send buffer would wait for us while we waited to send it more. A
 * turn's writes are a handful, collected at its next read. */
#define PG_PIPE_MAX 256

static int pg_settle(struct store *st);

/* Send h into the pipeline (store_step_queued): 0, or -1 with the reason kept. */
static int pg_queue(struct store *st, struct store_stmt *h)
{
    char name[32];
    if (!pg_up(st) || !h->ready || (st->piped >= PG_PIPE_MAX && pg_settle(st) == -1))
        return -1;
    if (st->piped == 0 && !PQenterPipelineMode(st->pg)) {
        pg_keep_err(st, PQerrorMessage(st->pg));
        return -1;
    }
    snprintf(name, sizeof name, "s%td", h - st->stmts);
    if (!PQsendQueryPrepared(st->pg, name, h->nparams, (const char *const *)h->params, NULL,
                             NULL, 0)) {
        pg_keep_err(st, PQerrorMessage(st->pg));
        if (st->piped == 0)
            PQexitPipelineMode(st->pg);
        return -1;
    }
    st->piped++;
    wire(st, 1, 0);
    st->id_known = false;
    if (h->queue_write)
        st->queued = true;
    return 0;
}

/* The queued writes' results collected on their own, before a statement
 * that cannot go into the pipeline (PQexec): 0, or -1. */
static int pg_settle(struct store *st)
{
    if (st->pg == NULL || st->piped == 0)
        return 0;
    pg_exec_piped(st, NULL, NULL);
    return st->piped_failed || PQstatus(st->pg) != CONNECTION_OK ? -1 : 0;
}

int store_step_queued(struct store *st, struct store_stmt *s, const char *what)
{
    if (st->pg == NULL || !st->pg_txn || PQstatus(st->pg) != CONNECTION_OK)
        return store_step_done(st, s, what);
    if (bind_refused(st, s))
        return log_fail("store: %s: not run", what);
    int rc = pg_queue(st, s);
    store_reset(s);
    return rc == 0 ? 0 : store_fail(st, what);
}

bool store_queued_failed(struct store *st)
{
    return st->job_failed;
}

void store_wire_counts(struct store *st, long *statements, long *round_trips)
{
    *statements = st->sent;
    *round_trips = st->waits;
}

void store_wire_totals(long *statements, long *round_trips)
{
    *statements = atomic_load(&wire_sent);
    *round_trips = atomic_load(&wire_waits);
}

void store_set_timeout(struct store *st, int ms)
{
    if (st != NULL && st->pg != NULL && ms > 0)
        st->timeout_ms = ms;
}

/* The first step runs the statement; later ones walk its rows. */
static int pg_step(struct store *st, struct store_stmt *h)
{
    if (h->res == NULL) {
        if (!pg_up(st) || !h->ready)
            return SQLITE_ERROR;
        char name[32];
        snprintf(name, sizeof name, "s%td", h - st->stmts);
        h->res = pg_exec_prepared(st, name, h);
        ExecStatusType t = PQresultStatus(h->res);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            if (h->res != NULL) /* else pg_exec_prepared kept the reason */
                pg_keep_err(st, PQresultErrorMessage(h->res));
            pg_drop_result(h);
            return SQLITE_ERROR;
        }
        const char *cmd = PQcmdStatus(h->res);
        st->rolled_back = strcmp(cmd, "ROLLBACK") == 0;
        if (str_has_prefix(cmd, "INSERT") || str_has_prefix(cmd, "UPDATE") ||
            str_has_prefix(cmd, "DELETE"))
            st->changes = atoi(PQcmdTuples(h->res));
        if (h->queue_write)
            st->queued = true;
        st->id_known = h->returns_id;
        if (h->returns_id) { /* the new row's id, for store_last_id; no rows to the caller */
            int n = PQntuples(h->res);
            st->last_id = n > 0 ? strtoll(PQgetvalue(h->res, n - 1, 0), NULL, 10) : 0;
            h->row = n;
        }
    }
    if (h->row + 1 < PQntuples(h->res)) {
        h->row++;
        return SQLITE_ROW;
    }
    h->row = PQntuples(h->res);
    return SQLITE_DONE;
}

/* The current row's value of col as text, or NULL (SQL NULL, no row). */
static const char *pg_value(struct store_stmt *h, int col)
{
    if (h->res == NULL || h->row < 0 || h->row >= PQntuples(h->res) || col < 0 ||
        col >= PQnfields(h->res) || PQgetisnull(h->res, h->row, col))
        return NULL;
    return PQgetvalue(h->res, h->row, col);
}

/* PostgreSQL's text of a number or a boolean ('t', 'f': a column such as
 * `x IS NULL` is boolean there) as SQLite's integer reading of it. */
static int64_t pg_int(const char *v)
{
    if (v == NULL)
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    if (strpbrk(v, ".eE") != NULL)
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

int store_step(struct store *st, struct store_stmt *s)
{
    if (bind_refused(st, s))
        return SQLITE_ERROR;
    return s->lite ? sqlite3_step(s->lite) : pg_step(st, s);
}

int store_param_count(struct store_stmt *s)
{
    return s->lite ? sqlite3_bind_parameter_count(s->lite) : s->nparams;
}

int64_t store_col_int64(struct store_stmt *s, int col)
{
    return s->lite ? sqlite3_column_int64(s->lite, col) : pg_int(pg_value(s, col));
}

int store_col_int(struct store_stmt *s, int col)
{
    return s->lite ? sqlite3_column_int(s->lite, col) : (int)pg_int(pg_value(s, col));
}

double store_col_double(struct store_stmt *s, int col)
{
    if (s->lite)
        return sqlite3_column_double(s->lite, col);
    const char *v = pg_value(s, col);
    return v == NULL ? 0 : v[0] == 't' ? 1 : v[0] == 'f' ? 0 : strtod(v, NULL);
}

const char *store_col_str(struct store_stmt *s, int col)
{
    return s->lite ? (const char *)sqlite3_column_text(s->lite, col) : pg_value(s, col);
}

int store_col_type(struct store_stmt *s, int col)
{
    if (s->lite)
        return sqlite3_column_type(s->lite, col);
    const char *v = pg_value(s, col);
    if (v == NULL)
        return SQLITE_NULL;
    switch (PQftype(s->res, col)) { /* pg_type.h's OIDs */
    case 16: /* bool */
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return SQLITE_INTEGER;
    case 700: /* float4 */
    case 701: /* float8 */
        return SQLITE_FLOAT;
    case 1700: /* numeric: sum() of bigint is numeric */
        return strchr(v, '.') ? SQLITE_FLOAT : SQLITE_INTEGER;
    default:
        return SQLITE_TEXT;
    }
}

int store_col_count(struct store_stmt *s)
{
    if (s->lite)
        return sqlite3_column_count(s->lite);
    return s->res ? PQnfields(s->res) : 0;
}

void store_reset(struct store_stmt *s)
{
    if (s->lite)
        sqlite3_reset(s->lite);
    else
        pg_drop_result(s);
}

int store_changes(struct store *st)
{
    return st->pg ? st->changes : sqlite3_changes(st->db);
}

/*
 * PostgreSQL: lastval(), the value the session's last nextval() returned,
 * which for an INSERT into a table with an identity column is the new id.
 * Chosen over RETURNING id so that one INSERT text serves both engines (and
 * SQLite keeps its cheaper last_insert_rowid); the cost is a round trip, on
 * the inserts whose id is wanted only. Callers read it only after an INSERT
 * that added a row (an ON CONFLICT DO NOTHING that added none checks
 * store_changes first: its nextval() was spent all the same).
 */
int64_t store_last_id(struct store *st)
{
    if (st->db)
        return sqlite3_last_insert_rowid(st->db);
    if (st->id_known)
        return st->last_id;
    if (pg_settle(st) == -1)
        return 0;
    wire(st, 1, 1);
    PGresult *r = PQexec(st->pg, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        log_err("store: lastval: %s", PQresultErrorMessage(r));
    PQclear(r);
    return id;
}

static const char *store_errmsg(struct store *st)
{
    return st->pg ? st->pg_err : sqlite3_errmsg(st->db);
}

int store_fail(struct store *st, const char *what)
{
    return log_fail("store: %s: %s", what, store_errmsg(st));
}

/* A statement outside the registry (schema, PRAGMAs). PRAGMAs are SQLite's
 * own settings: on PostgreSQL they are no-ops. */
int store_exec(struct store *st, const char *sql)
{
    next_generation(st);
    if (st->pg) {
        if (strncasecmp(sql, "PRAGMA", 6) == 0)
            return 0;
        st->id_known = false;
        if (pg_settle(st) == -1)
            return store_fail(st, sql);
        wire(st, 1, 1);
        PGresult *r = PQexec(st->pg, sql);
        ExecStatusType t = PQresultStatus(r);
        /* PGRES_EMPTY_QUERY: only comments (a migration with nothing to do here) */
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && t != PGRES_EMPTY_QUERY) {
            pg_keep_err(st, PQresultErrorMessage(r));
            log_err("store: %.80s: %s", sql, st->pg_err);
            PQclear(r);
            return -1;
        }
        PQclear(r);
        return 0;
    }
    char *err = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        log_err("store: %s: %s", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Step a statement that returns no rows (or whose rows are ignored). */
int store_step_done(struct store *st, struct store_stmt *s, const char *what)
{
    if (bind_refused(st, s))
        return log_fail("store: %s: not run", what);
    int rc = store_step(st, s);
    store_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(st, what);
    return 0;
}

int store_insert(struct store *st, struct store_stmt *s, const char *what, int64_t *id)
{
    if (store_step_done(st, s, what) == -1)
        return -1;
    if (id != NULL)
        *id = store_last_id(st);
    return 0;
}

char *store_col_text(struct store_stmt *s, int col)
{
    const char *t = store_col_str(s, col);
    return t ? xstrdup(t) : NULL;
}

int store_read_one(struct store *st, struct store_stmt *s, const char *what, store_read_fn read,
                   void *out, size_t size)
{
    memset(out, 0, size);
    if (bind_refused(st, s))
        return log_fail("store: %s: not run", what);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        read(s, out);
    store_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_fail(st, what);
}

int store_read_all(struct store *st, struct store_stmt *s, const char *what, store_read_fn read,
                   store_clear_fn clear, size_t size, void **v, size_t *n)
{
    char *a = NULL;
    size_t len = 0, cap = 0;
    int rc;
    *v = NULL;
    *n = 0;
    if (bind_refused(st, s))
        return log_fail("store: %s: not run", what);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? 2 * cap : 8;
            a = xrealloc(a, cap * size);
        }
        memset(a + len * size, 0, size);
        read(s, a + len * size);
        len++;
    }
    store_reset(s);
    if (rc != SQLITE_DONE) {
        store_free_rows(a, len, size, clear);
        return store_fail(st, what);
    }
    *v = a;
    *n = len;
    return 0;
}

void store_free_rows(void *v, size_t n, size_t size, store_clear_fn clear)
{
    for (size_t i = 0; clear != NULL && i < n; i++)
        clear((char *)v + i * size);
    free(v);
}

void store_read_id(struct store_stmt *s, void *out)
{
    *(int64_t *)out = store_col_int64(s, 0);
}

void store_read_string(struct store_stmt *s, void *out)
{
    *(char **)out = store_col_text(s, 0);
}

void store_clear_string(void *out)
{
    free(*(char **)out);
}

void store_free_strings(char **v, size_t n)
{
    store_free_rows(v, n, sizeof *v, store_clear_string);
}

/* PRAGMA user_version of db: 0 for a new file, or -1 (logged). */
static int schema_version(sqlite3 *db)
{
    int v = -1;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
        log_err("store: user_version: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    else
        log_err("store: user_version: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return v;
}

/* Run migrations up to schema target, one transaction each. */
static int migrate(struct store *st, int target)
{
    int v = schema_version(st->db);
    if (v == -1)
        return -1;
    if (v > N_MIGRATIONS)
        return log_fail("store: database schema %d is newer than this build (%d)", v,
                        N_MIGRATIONS);
    for (; v < target; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (store_exec(st, "BEGIN IMMEDIATE") == -1)
            return -1;
        if (store_exec(st, migrations[v].lite) == -1 || store_exec(st, pragma) == -1) {
            store_exec(st, "ROLLBACK");
            return log_fail("store: migration %d failed", v + 1);
        }
        if (store_exec(st, "COMMIT") == -1)
            return -1;
        const char *file = sqlite3_db_filename(st->db, "main");
        if (file != NULL && file[0] != '\0') /* not the check's in-memory copy */
            log_info("store: migrated to schema %d", v + 1);
    }
    st->version = v;
    return 0;
}

/* Each connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX), so
 * SQLite's own locking is not needed, and its allocation statistics take a
 * global mutex on every malloc (about 3% of the writer thread in perf). */
/*
 * The connections of this process take turns on write_mu for their write
 * transactions (store_begin .. COMMIT or ROLLBACK). A thread that waits is
 * woken the moment the other's transaction ends; SQLite's busy handler would
 * sleep 1, 2, 5 ... up to 100 ms between tries, so during a broadcast the
 * writer's turns and the sender's claims each lost whole sleeps to the other
 * (bench/storm: inbound p99 80 ms, the sender starved to 1,000 pushes/s).
 * Other processes still meet SQLite's own lock and busy timeout. Recursive:
 * a thread may hold transactions on two connections (tests do). SQLite
 * only: on PostgreSQL the database orders writers by row (take_turn).
 */
static pthread_mutex_t write_mu;
#define BUSY_TIMEOUT_MS 5000

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&write_mu, &a);
    pthread_mutexattr_destroy(&a);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Open path and migrate it to schema target; at the latest schema, prepare
 * every registered statement and check the extra ones. Statements may name
 * tables of any migration, so an open at an older schema (store_migrate_to)
 * prepares nothing ahead. */
/* A store with its statement slots, no connection yet. */
static struct store *store_new(void)
{
    struct store *st = xcalloc(1, sizeof *st);
    size_t nsql;
    store_sql_all(&nsql);
    st->stmts = xcalloc(nsql ? nsql : 1, sizeof *st->stmts);
    st->faults = xcalloc(nsql ? nsql : 1, sizeof *st->faults);
    for (size_t i = 0; i < nsql; i++)
        st->stmts[i] = (struct store_stmt){.st = st, .row = -1};
    st->timeout_ms = STORE_TIMEOUT_MS;
    return st;
}

static struct store *open_at(const char *path, bool sync_full, int target,
                             const struct store_sql *extra, size_t nextra)
{
    struct store *st = store_new();
    bool memory = strcmp(path, ":memory:") == 0;
    /* Never open() and close() the database file ourselves: closing any
     * descriptor drops every POSIX lock this process holds on the file,
     * including those of connections already open, and another process then
     * believes it is alone, checkpoints and deletes the WAL under us. Files
     * SQLite creates get their 0600 mode from the umask; an existing file
     * keeps the mode its owner gave it (a read-only one stays read-only, and
     * /healthz says so: engine.c). */
    pthread_once(&setup_once, sqlite_setup);
    mode_t old_mask = umask(077);
    int orc = sqlite3_open_v2(path, &st->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                              NULL);
    umask(old_mask);
    if (orc != SQLITE_OK) {
        log_err("store: %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
        goto fail;
    }
    if (!memory && sqlite3_db_readonly(st->db, "main") == 1)
        log_warn("store: %s is read-only: every message will fail, /healthz says 503", path);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if (store_exec(st, "PRAGMA journal_mode=WAL") == -1 ||
        store_exec(st, "PRAGMA foreign_keys=ON") == -1 ||
        store_exec(st, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL") ==
            -1)
        goto fail;
    if (migrate(st, target) == -1)
        goto fail;
    if (target == N_MIGRATIONS && prepare_all(st, extra, nextra) == -1) {
        log_err("store: %s: a statement does not compile against schema %d: not opening", path,
                target);
        goto fail;
    }
    return st;
fail:
    store_close(st);
    return NULL;
}

/* bot/schema_pg.sql as a C string (the Makefile makes bot/schema_pg.inc). */
static const char schema_pg[] =
#include "schema_pg.inc"
    ;

/* schema_version of a PostgreSQL database: 0 when it has no such table (an
 * empty database), or -1 (logged). */
static int pg_version(PGconn *pg)
{
    int v = -1;
    PGresult *r = PQexec(pg, "SELECT to_regclass('schema_version') IS NOT NULL");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
        strcmp(PQgetvalue(r, 0, 0), "f") == 0)
        v = 0;
    else if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        PQclear(r);
        r = PQexec(pg, "SELECT version FROM schema_version");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            v = atoi(PQgetvalue(r, 0, 0));
    }
    if (v == -1)
        log_err("store: schema_version: %s", PQresultStatus(r) == PGRES_TUPLES_OK
                                                 ? "not one row"
                                                 : PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

/* Bring a database at schema v (0: empty) to target inside the caller's
 * transaction: bot/schema_pg.sql for an empty one, then each later
 * migration's PostgreSQL text, schema_version following. 0 or -1. */
static int pg_upgrade(struct store *st, int v, int target)
{
    if (v == 0) {
        if (store_exec(st, schema_pg) == -1)
            return log_fail("store: PostgreSQL schema %d (bot/schema_pg.sql) failed", PG_BASE);
        v = PG_BASE;
    }
    for (; v < target; v++) {
        char set[64];
        snprintf(set, sizeof set, "UPDATE schema_version SET version=%d", v + 1);
        if (store_exec(st, migrations[v].pg) == -1 || store_exec(st, set) == -1)
            return log_fail("store: PostgreSQL migration %d failed", v + 1);
    }
    return 0;
}

/*
 * The schema on PostgreSQL, as SQLite's migrate(): read schema_version and
 * run what is missing up to target, all in one transaction (PostgreSQL's DDL
 * is transactional: an upgrade happens whole or not at all) under a
 * transaction-scoped advisory lock, so two processes (or the service's
 * threads) opening at once upgrade it once: the second reads the version
 * the first committed. A database newer than this build, or an old one from
 * before PostgreSQL's base (there is none), is refused.
 */
static int pg_migrate(struct store *st, int target)
{
    if (store_exec(st, "BEGIN") == -1)
        return -1;
    int v = store_exec(st, "SELECT pg_advisory_xact_lock(72616)") == 0 ? pg_version(st->pg) : -1;
    if (v > N_MIGRATIONS)
        log_err("store: the PostgreSQL database is at schema %d, this build at %d: install the"
                " newer build", v, N_MIGRATIONS);
    else if (v > 0 && v < PG_BASE)
        log_err("store: the PostgreSQL database is at schema %d, before PostgreSQL's first (%d)",
                v, PG_BASE);
    int from = v;
    if (v > N_MIGRATIONS || (v > 0 && v < PG_BASE) ||
        (v >= 0 && v < target && pg_upgrade(st, v, target) == -1))
        v = -1;
    else if (v >= 0 && v < target)
        v = target;
    if (store_exec(st, v == -1 ? "ROLLBACK" : "COMMIT") == -1 || v == -1)
        return -1;
    if (from != v)
        log_info("store: PostgreSQL schema %d -> %d", from, v);
    st->version = v;
    return 0;
}

/* libpq's notices (NOTICE, WARNING from the server) into our log. */
static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    log_debug("store: PostgreSQL: %.*s", (int)strcspn(message, "\n"), message);
}

/*
 * libpq's settings that conninfo does not give (conninfo's own win: it comes
 * last, and libpq keeps a keyword's last value). libpq's defaults wait on a
 * host that accepts the connection and never answers for ever (no
 * connect_timeout), and notice a peer that died (a machine powered off, a
 * cut network: nothing sends a reset) after the kernel's two hours of
 * keepalive idleness. These notice it within about 25 s, and a host that
 * hangs on connecting costs a reconnection 3 s before libpq tries the next
 * host of conninfo (docs/failover.md).
 */
static PGconn *pg_connect(const char *conninfo)
{
    static const char *const keys[] = {"connect_timeout",     "keepalives",       "keepalives_idle",
                                       "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                       "dbname",              NULL};
    const char *values[] = {"3", "1", "10", "5", "3", "25000", conninfo, NULL};
    return PQconnectdbParams(keys, values, 1);
}

/* Connect to conninfo and migrate its database to schema target; at the
 * latest schema, prepare every registered statement (an older one is for
 * tests of upgrades, and prepares nothing). */
static struct store *open_pg_at(const char *conninfo, int target)
{
    pthread_once(&setup_once, sqlite_setup); /* write_mu */
    struct store *st = store_new();
    st->pg = pg_connect(conninfo);
    if (st->pg == NULL || PQstatus(st->pg) != CONNECTION_OK) {
        log_err("store: PostgreSQL: %s", st->pg ? PQerrorMessage(st->pg) : "no memory");
        goto fail;
    }
    PQsetNoticeProcessor(st->pg, pg_notice, NULL);
    /* Days by the process's TZ, as SQLite's 'localtime' (store_pg.c's PG_DAY). */
    const char *tz = getenv("TZ");
    if (tz != NULL && *tz == ':')
        tz++;
    if (tz != NULL && *tz != '\0') {
        char *lit = PQescapeLiteral(st->pg, tz, strlen(tz));
        char set[160];
        snprintf(set, sizeof set, "SET TimeZone = %s", lit ? lit : "'UTC'");
        PQfreemem(lit);
        if (store_exec(st, set) == -1)
            goto fail;
    }
    if (pg_migrate(st, target) == -1 || pg_id_tables(st) == -1 ||
        (target == N_MIGRATIONS && pg_prepare_all(st) == -1))
        goto fail;
    return st;
fail:
    store_close(st);
    return NULL;
}

struct store *store_open_pg(const char *conninfo)
{
    return open_pg_at(conninfo, N_MIGRATIONS);
}

int store_migrate_to_pg(const char *conninfo, int version)
{
    if (version < PG_BASE || version > N_MIGRATIONS)
        return log_fail("store: no PostgreSQL schema %d (this build has %d..%d)", version,
                        PG_BASE, N_MIGRATIONS);
    struct store *st = open_pg_at(conninfo, version);
    store_close(st);
    return st ? 0 : -1;
}

struct store *store_open_engine(const char *engine, const char *path, const char *conninfo,
                                bool sync_full)
{
    if (engine != NULL && strcmp(engine, "postgres") == 0)
        return store_open_pg(conninfo);
    return store_open(path, sync_full);
}

bool store_is_pg(struct store *st)
{
    return st->pg != NULL;
}

struct store *store_open_with(const char *path, bool sync_full, const struct store_sql *extra,
                              size_t nextra)
{
    return open_at(path, sync_full, N_MIGRATIONS, extra, nextra);
}

struct store *store_open(const char *path, bool sync_full)
{
    return store_open_with(path, sync_full, NULL, 0);
}

int store_migrate_to(const char *path, int version)
{
    if (version < 0 || version > N_MIGRATIONS)
        return log_fail("store: no schema %d (this build has 0..%d)", version, N_MIGRATIONS);
    struct store *st = open_at(path, true, version, NULL, 0);
    store_close(st);
    return st ? 0 : -1;
}

int store_schema_latest(void)
{
    return N_MIGRATIONS;
}

int store_schema_pg_base(void)
{
    return PG_BASE;
}

bool store_migration(int i, const char **lite, const char **pg)
{
    if (i < 0 || i >= N_MIGRATIONS)
        return false;
    *lite = migrations[i].lite;
    *pg = migrations[i].pg;
    return true;
}

long store_sql_check(void)
{
    struct store *st = store_open(":memory:", false);
    if (st == NULL)
        return -1;
    long n = (long)store_prepared(st);
    store_close(st);
    return n;
}

/* The "-- " lines a migration starts with, joined by spaces; "" for none. */
static char *migration_note(const char *sql)
{
    struct buf b;
    buf_init(&b, 0);
    while (str_has_prefix(sql, "-- ")) {
        size_t n = strcspn(sql + 3, "\n");
        buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)n, sql + 3);
        sql += 3 + n + (sql[3 + n] == '\n');
    }
    return buf_take(&b);
}

/* Its statements, each by its first words ("CREATE TABLE people", "ALTER
 * TABLE outbox ADD COLUMN extra"), for people to read: sqlite3_complete()
 * finds where each ends (a trigger's inner ';' included). */
static char *migration_statements(const char *sql)
{
    struct buf b, stmt;
    buf_init(&b, 0);
    buf_init(&stmt, 0);
    for (const char *p = sql; *p != '\0'; p++) {
        buf_append(&stmt, p, 1);
        if (*p != ';' || !sqlite3_complete(stmt.data))
            continue;
        const char *q = stmt.data;
        while (str_has_prefix(q, "-- ")) /* the note */
            q += strcspn(q, "\n") + (q[strcspn(q, "\n")] == '\n');
        int words = str_has_prefix(q, "ALTER ") ? 6 : str_has_prefix(q, "CREATE UNIQUE ") ? 4 : 3;
        size_t n = 0;
        for (int w = 0; w < words && q[n] != '\0'; w++) {
            n += strspn(q + n, " ");
            n += strcspn(q + n, " (;");
        }
        buf_printf(&b, "%s%.*s", b.len ? "; " : "", (int)n, q);
        stmt.len = 0;
        stmt.data[0] = '\0';
    }
    buf_release(&stmt);
    return buf_take(&b);
}

/* fn for each migration after schema v (0: all) that engine pg or SQLite
 * would run. */
static void each_pending(int v, bool pg, store_pending_fn fn, void *ctx)
{
    if (pg && v == 0) {
        char note[96];
        snprintf(note, sizeof note, "the schema of migrations 1..%d at once", PG_BASE);
        fn(PG_BASE, note, "bot/schema_pg.sql", ctx);
        v = PG_BASE;
    }
    for (int i = v; i < N_MIGRATIONS; i++) {
        char *note = migration_note(migrations[i].lite);
        char *stmts = migration_statements(pg ? migrations[i].pg : migrations[i].lite);
        fn(i + 1, note, stmts, ctx);
        free(note);
        free(stmts);
    }
}

int store_pending_pg(const char *conninfo, store_pending_fn fn, void *ctx)
{
    PGconn *pg = pg_connect(conninfo);
    int v = -1;
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK)
        log_err("store: PostgreSQL: %s", pg ? PQerrorMessage(pg) : "no memory");
    else
        v = pg_version(pg);
    PQfinish(pg);
    if (v > 0 && v < PG_BASE)
        v = log_fail("store: the PostgreSQL database is at schema %d, before PostgreSQL's"
                     " first (%d)", v, PG_BASE);
    if (v >= 0 && v <= N_MIGRATIONS && (v == 0 || v >= PG_BASE))
        each_pending(v, true, fn, ctx);
    return v;
}

int store_pending(const char *path, store_pending_fn fn, void *ctx)
{
    int v = 0;
    if (strcmp(path, ":memory:") != 0 && access(path, F_OK) == 0) {
        sqlite3 *db = NULL;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            log_err("store: %s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
            sqlite3_close(db);
            return -1;
        }
        v = schema_version(db);
        sqlite3_close(db);
    }
    if (v >= 0)
        each_pending(v, false, fn, ctx);
    return v;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    size_t n;
    store_sql_all(&n);
    for (size_t i = 0; st->stmts != NULL && i < n; i++) {
        struct store_stmt *h = &st->stmts[i];
        sqlite3_finalize(h->lite); /* NULL is a no-op */
        if (h->params != NULL)
            free(pg_fresh(h)->params);
    }
    free(st->stmts);
    free(st->faults);
    unknown_forget(st, 0);
    free(st->hits);
    store_state_forget(st);
    free(st->srows);
    free(st->sloaded);
    store_arrivals_forget(st);
    free(st->pre);
    if (st->writing) { /* closed inside a transaction: SQLite rolls it back */
        st->writing = false;
        pthread_mutex_unlock(&write_mu);
    }
    if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
        log_err("store: close: %s", sqlite3_errmsg(st->db));
    PQfinish(st->pg); /* NULL is a no-op */
    free(st->id_tables);
    buf_release(&st->held);
    free(st);
}

int store_version(struct store *st)
{
    return st->version;
}

static void on_row_change(void *arg, int op, const char *db, const char *table,
                          sqlite3_int64 rowid)
{
    (void)op;
    (void)db;
    (void)rowid;
    struct store *st = arg;
    if (!st->queued && (strcmp(table, "outbox") == 0 || strcmp(table, "report_media") == 0))
        st->queued = true;
}

/* On PostgreSQL a run of a statement that writes either queue marks it
 * (pg_step): the same signal, from the statement rather than the row. */
void store_watch_queues(struct store *st)
{
    if (st->db)
        sqlite3_update_hook(st->db, on_row_change, st);
}

bool store_queues_changed(struct store *st)
{
    bool q = st->queued;
    st->queued = false;
    return q;
}

/* A transaction-control statement from the cache: parsing it anew for every
 * turn cost about 4% of the writer thread (perf, bench/inbound). */
static int control(struct store *st, const struct store_sql *sql)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    int rc = store_step(st, s);
    store_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    /* Another writer held SQLite's lock past the busy timeout (a content
     * save rebuilding the rules under valgrind took 5-6 s): contention, not
     * a fault; the caller answers 500 and the platforms retry. */
    if (st->db != NULL && sqlite3_errcode(st->db) == SQLITE_BUSY) {
        log_warn("store: %s: %s (another writer held it past the busy timeout)", sql->text,
                 store_errmsg(st));
        return -1;
    }
    return log_fail("store: %s: %s", sql->text, store_errmsg(st));
}

SQL(sql_begin, "BEGIN IMMEDIATE");
SQL(sql_commit, "COMMIT");
SQL(sql_rollback, "ROLLBACK");
SQL(sql_savepoint, "SAVEPOINT turn");
SQL(sql_release, "RELEASE turn");
SQL(sql_rollback_to, "ROLLBACK TO turn");

/* The transaction store_begin opened has ended (COMMIT or ROLLBACK done, or
 * SQLite rolled it back itself): let the next writer of this process in. */
/* Inside a transaction (a PostgreSQL connection that broke is not: the
 * server ended its transaction). */
static bool in_transaction(struct store *st)
{
    if (st->db)
        return !sqlite3_get_autocommit(st->db);
    PGTransactionStatusType t = PQtransactionStatus(st->pg);
    return t == PQTRANS_ACTIVE || t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static void write_end(struct store *st)
{
    if (st->writing && !in_transaction(st)) {
        st->writing = false;
        pthread_mutex_unlock(&write_mu);
    }
}

/* The process's write turn (write_mu), waited for as long as busy_timeout
 * would; past that (a transaction held open for long) go on to SQLite's own
 * lock, so a writer stuck elsewhere never blocks this one for ever.
 *
 * None on PostgreSQL: the database serialises writers itself, by row, and
 * the turn only made a node's writer wait for its sender's or fetcher's
 * whole transaction and the other way round (with the synchronous standby
 * down, a webhook batch waited behind a sender transaction waiting out its
 * statement_timeout: tests/pg/failover.sh). What the turn kept apart on one
 * node, two nodes already do side by side: a node's writer meets its own
 * sender as it meets another node's (docs/scaling.md, "Several nodes on one
 * database"): the sender never locks a people row, nothing but the sender
 * locks send_rate rows, its claims skip locked rows, and the remaining
 * waits (outbox or report rows updated by both) are the ones two nodes
 * already have, each broken by PostgreSQL if it closes a cycle and run again
 * (the batch guarded, the sender's next round). Nothing in the process
 * relies on it: each connection keeps its own transaction state. */
static bool take_turn(struct store *st)
{
    if (st->pg != NULL)
        return false;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += BUSY_TIMEOUT_MS / 1000;
    return !st->writing && pthread_mutex_timedlock(&write_mu, &until) == 0;
}

static void held_forget(struct store *st)
{
    st->held.len = 0;
    st->in_savepoint = false;
}

bool store_lock_held(struct store *st, const char *channel, const char *user)
{
    if (st->held.len == 0) /* data is NULL until the first */
        return false;
    const char *p = st->held.data, *end = p + st->held.len;
    while (p < end) {
        const char *u = p + strlen(p) + 1;
        if (strcmp(p, channel) == 0 && strcmp(u, user) == 0)
            return true;
        p = u + strlen(u) + 1;
    }
    return false;
}

void store_lock_note(struct store *st, const char *channel, const char *user)
{
    /* A lock taken inside a savepoint ends with it when it is rolled back:
     * only the transaction's own are remembered. */
    if (!st->in_savepoint && !store_lock_held(st, channel, user) &&
        (buf_append(&st->held, channel, strlen(channel) + 1) == -1 ||
         buf_append(&st->held, user, strlen(user) + 1) == -1))
        st->held.len = 0; /* cannot fail: the buffer has no cap */
}

/* BEGIN sent: at once, or queued in the pipeline (store_begin_queued). */
static int send_begin(struct store *st, bool queued)
{
    if (!queued || st->pg == NULL)
        return control(st, sql_begin);
    struct store_stmt *s = store_stmt(st, sql_begin);
    if (s == NULL)
        return -1;
    int rc = pg_queue(st, s);
    store_reset(s);
    return rc == 0 ? 0 : log_fail("store: BEGIN: %s", store_errmsg(st));
}

static int begin(struct store *st, bool queued)
{
    /* SQLite refuses a BEGIN inside a transaction; PostgreSQL only warns */
    if (st->pg != NULL && in_transaction(st))
        return log_fail("store: BEGIN inside a transaction");
    st->gave_up = false;
    unknown_forget(st, 0); /* of a transaction that ended without store_commit's flush */
    /* A lost PostgreSQL connection is brought back before the write turn is
     * taken: a reconnection may wait connect_timeout on a host that hangs,
     * and the process's other connections (the writer's, answering every
     * webhook) must not wait behind it. */
    if (st->pg != NULL && !pg_up(st))
        return -1;
    bool turn = take_turn(st);
    int rc = send_begin(st, queued);
    /* A connection found dead by BEGIN (the server restarted since the last
     * batch) is brought back, out of the turn as above, and BEGIN tried once
     * more: nothing ran in the transaction yet. */
    if (rc == -1 && st->pg != NULL && PQstatus(st->pg) == CONNECTION_BAD) {
        if (turn)
            pthread_mutex_unlock(&write_mu);
        turn = false;
        if (pg_up(st)) {
            turn = take_turn(st);
            rc = send_begin(st, queued);
        }
    }
    if (rc == -1) { /* inside a transaction already, busy, or PostgreSQL down */
        if (turn)
            pthread_mutex_unlock(&write_mu);
        return -1;
    }
    st->writing = turn;
    st->pg_txn = st->pg != NULL;
    st->piped_failed = st->job_failed = false;
    st->piped_commit = INT_MAX;
    held_forget(st);
    store_state_forget(st);
    store_arrivals_forget(st);
    return 0;
}

int store_begin(struct store *st)
{
    return begin(st, false);
}

int store_begin_queued(struct store *st)
{
    return begin(st, true);
}

bool store_lost(struct store *st)
{
    return st->pg != NULL && PQstatus(st->pg) == CONNECTION_BAD && !st->gave_up;
}

/* A failed write of the counted unknown texts leaves the transaction open,
 * as a failed COMMIT does: the caller rolls it back. */
int store_commit(struct store *st)
{
    if (st->nhits > 0 && !in_transaction(st)) /* SQLite rolled it back itself */
        unknown_forget(st, 0);
    st->piped_commit = st->piped; /* the jobs' queued writes end here */
    if (st->nhits > 0 && unknown_flush(st) == -1)
        return -1;
    int rc = control(st, sql_commit);
    /* PostgreSQL answers the COMMIT of a transaction in which a statement
     * failed with ROLLBACK, and no error: the failure a caller did not pass
     * on (a queued write's, collected by a read whose -1 was taken for
     * "none") must not be acknowledged as committed. */
    if (rc == 0 && st->pg != NULL && st->rolled_back) {
        st->job_failed = true; /* a job's: the engine runs the batch again guarded */
        rc = log_fail("store: COMMIT: rolled back (a statement of the transaction failed)");
    }
    st->pg_txn = false;
    held_forget(st);
    store_state_forget(st);
    store_arrivals_forget(st);
    write_end(st);
    return rc;
}

int store_rollback(struct store *st)
{
    unknown_forget(st, 0);
    pg_settle(st); /* a failed queued write would abort a ROLLBACK sent with it */
    store_state_forget(st);
    store_arrivals_forget(st);
    int rc = control(st, sql_rollback);
    st->pg_txn = false;
    held_forget(st);
    write_end(st);
    return rc;
}

int store_savepoint(struct store *st)
{
    st->hits_mark = st->nhits;
    st->in_savepoint = true;
    return control(st, sql_savepoint);
}

int store_release(struct store *st)
{
    st->in_savepoint = false;
    return control(st, sql_release);
}

int store_rollback_to(struct store *st)
{
    /* ROLLBACK TO keeps the savepoint open; RELEASE closes it. */
    unknown_forget(st, st->hits_mark);
    st->in_savepoint = false;
    pg_settle(st);
    /* what the failed job wrote is undone: the copies may hold it */
    store_state_forget(st);
    store_arrivals_forget(st);
    if (control(st, sql_rollback_to) == -1)
        return -1;
    return control(st, sql_release);
}

int store_inbound_get(struct store *st, const char *channel, const char *user,
                      const char *ext_id, int64_t now, char **replies, char **intent)
{
    SQL(sql, "SELECT replies, intent FROM inbound WHERE channel=?1 AND ext_id=?3 AND"
             " person_id=(SELECT id FROM people WHERE channel=?1 AND ext_id=?2) AND created_ms>?4");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    store_bind_text(s, 3, ext_id);
    store_bind_int64(s, 4, now - INBOUND_DEDUPE_MS);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        *replies = store_col_text(s, 0);
        *intent = store_col_text(s, 1);
        store_reset(s);
        return 1;
    }
    store_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "inbound get");
}

/* Bind one inbound row to ins (either insert below) and run it, queued
 * when its result is not read (store_step_queued). */
static int inbound_insert(struct store *st, const struct store_sql *ins, const char *channel,
                          const char *ext_id, int64_t sender, const char *text, const char *intent,
                          const char *replies, int64_t now, bool queued)
{
    struct store_stmt *s = store_stmt(st, ins);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, ext_id);
    store_bind_int64(s, 3, sender);
    store_bind_text(s, 4, text);
    store_bind_text(s, 5, intent);
    store_bind_text(s, 6, replies);
    store_bind_int64(s, 7, now);
    return (queued ? store_step_queued : store_step_done)(st, s, "inbound add");
}

SQL(sql_inbound_add, "INSERT INTO inbound(channel, ext_id, person_id, text, intent,"
                    " replies, created_ms) VALUES(?,?,?,?,?,?,?)");

int store_inbound_add(struct store *st, const char *channel, const char *ext_id, int64_t sender,
                      const char *text, const char *intent, const char *replies, int64_t now)
{
    /* One statement on the hot path; a key taken by an expired row (rare: an
     * id reused by the same sender days later) moves that row aside first. */
    SQL(try, "INSERT INTO inbound(channel, ext_id, person_id, text,"
             " intent, replies, created_ms) VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
    SQL(aside, "UPDATE inbound SET ext_id=ext_id || '~' || id WHERE channel=?"
               " AND ext_id=? AND person_id=? AND created_ms<=?");
    if (inbound_insert(st, try, channel, ext_id, sender, text, intent, replies, now, false) == -1)
        return -1;
    if (store_changes(st) == 1)
        return 0;
    struct store_stmt *s = store_stmt(st, aside);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, ext_id);
    store_bind_int64(s, 3, sender);
    store_bind_int64(s, 4, now - INBOUND_DEDUPE_MS);
    if (store_step_done(st, s, "inbound aside") == -1)
        return -1;
    return inbound_insert(st, sql_inbound_add, channel, ext_id, sender, text, intent, replies,
                          now, false);
}

int store_inbound_put(struct store *st, const struct arrival *a, const char *channel,
                      const char *ext_id, int64_t sender, const char *text, const char *intent,
                      const char *replies, int64_t now)
{
    /* No row holds the key (the lookup saw none, and the person is locked):
     * a plain INSERT, whose result nobody reads; a row that appeared all
     * the same fails it, and the turn with it, as store_inbound_add would. */
    if (a->taken)
        return store_inbound_add(st, channel, ext_id, sender, text, intent, replies, now);
    return inbound_insert(st, sql_inbound_add, channel, ext_id, sender, text, intent, replies,
                          now, true);
}

int64_t store_inbound_count(struct store *st)
{
    SQL(sql, "SELECT count(*) FROM inbound");
    struct store_stmt *s = store_stmt(st, sql);
    int64_t n = -1;
    if (s == NULL)
        return -1;
    if (store_step(st, s) == SQLITE_ROW)
        n = store_col_int64(s, 0);
    store_reset(s);
    return n;
}

/* How stale people.last_seen_ms may get for someone not linked (绑定). */
#define LAST_SEEN_STEP_MS 60000

/* Whether a found people row needs writing: last_seen_ms older than the
 * step, another name or no consent recorded for a message, or linked. */
/* Whether a turn must write the person's row: last seen a step ago, a new
 * name or no consent yet (same: the name as stored and consent given), or
 * linked (an account's rows are stamped in order). */
static bool stale_at(int64_t now, int64_t seen, bool same, bool linked)
{
    return now - seen >= LAST_SEEN_STEP_MS || !same || linked;
}

static bool person_stale(struct store_stmt *s, int64_t now)
{
    return stale_at(now, store_col_int64(s, 2), store_col_int(s, 3) != 0,
                    store_col_int(s, 4) != 0);
}

/* The message's key already stored at created: a replay within the dedupe
 * window, else a key taken by an older message. */
static void arrival_key_seen(struct arrival *a, int64_t created, int64_t now)
{
    a->replay = created > now - INBOUND_DEDUPE_MS;
    a->taken = !a->replay;
}

/* The found row (columns 0 to 4 of find, or of store_arrival's look) into a. */
static void person_seen(struct store_stmt *s, int64_t now, struct arrival *a)
{
    a->known = true;
    a->id = store_col_int64(s, 0);
    a->account = store_col_int64(s, 1);
    a->stale = person_stale(s, now);
}

/* The write person_upsert's lookup asked for: the row touched when stale,
 * or made when unknown. 1 made, 0 not, -1. */
static int person_write(struct store *st, const struct arrival *a, const char *channel,
                        const char *user, const char *name, int64_t now, int64_t *id,
                        int64_t *account, bool contact)
{
    /* Within an account the row touched last must sort first even when two
     * of its channels speak in the same millisecond (an integration test
     * caught a push going to the other channel), so a linked row's stamp
     * passes its siblings'. For anyone else the subquery finds no row. */
    SQL(touch,
        "UPDATE people SET last_seen_ms=max(?2, coalesce((SELECT max(q.last_seen_ms) + 1 FROM"
        " people q WHERE coalesce(q.account_id, q.id)=?4 AND q.id<>?1), 0)),"
        " name=coalesce(?3, name), consent=CASE WHEN ?5 THEN coalesce(consent, 'contact')"
        " ELSE consent END WHERE id=?1");
    SQL(insert, "INSERT INTO people(channel, ext_id, name, created_ms,"
                " last_seen_ms, consent)"
                " VALUES(?1, ?2, ?3, ?4, ?4, CASE WHEN ?5 THEN 'contact' END)");
    struct store_stmt *s;
    int64_t acc = a->account;
    int created = 0;
    *id = a->id;
    if (st->npre > 0)
        arrivals_drop(st, channel, user);
    if (a->known && a->stale) {
        if ((s = store_stmt(st, touch)) == NULL)
            return -1;
        store_bind_int64(s, 1, a->id);
        store_bind_int64(s, 2, now);
        store_bind_text(s, 3, name);
        store_bind_int64(s, 4, a->account);
        store_bind_int(s, 5, contact);
        if (store_step_queued(st, s, "person touch") == -1)
            return -1;
    } else if (!a->known) {
        if ((s = store_stmt(st, insert)) == NULL)
            return -1;
        store_bind_text(s, 1, channel);
        store_bind_text(s, 2, user);
        store_bind_text(s, 3, name);
        store_bind_int64(s, 4, now);
        store_bind_int(s, 5, contact);
        if (store_insert(st, s, "person add", id) == -1)
            return -1;
        acc = *id;
        created = 1;
        /* a row made now has no state rows yet (store_state_get need not ask) */
        if (st->pg != NULL && in_transaction(st))
            state_mark(st, *id);
    }
    if (account != NULL)
        *account = acc;
    return created;
}

/* store_person_arrive, and store_person_ensure when !contact: a row made or
 * touched by a message (contact) records its consent to bulk pushes. */
static int person_upsert(struct store *st, const char *channel, const char *user,
                         const char *name, int64_t now, int64_t *id, int64_t *account,
                         bool contact)
{
    /* Nearly every message comes from someone known. One lookup returns the
     * account (绑定) too, and whether the row needs writing at all: rewriting
     * last_seen_ms on every message dirtied a random page of people per
     * message, about a tenth of the bytes a batch wrote (bench/compare).
     * Within an account the channel used last decides where pushes go, so
     * linked rows are always brought up to date; anyone else's last_seen_ms
     * is kept to the minute (it feeds only day-level lists). No RETURNING:
     * SQLite opens and closes a temporary table for each such statement.
     * A message's turn asks the same in store_arrival's statement. */
    SQL(find,
        "SELECT id, coalesce(account_id, id), last_seen_ms,"
        " (CAST(?3 AS TEXT) IS NULL OR name IS NOT DISTINCT FROM ?3)"
        " AND (?4=0 OR consent IS NOT NULL),"
        " account_id IS NOT NULL OR EXISTS(SELECT 1 FROM people q WHERE q.account_id=people.id)"
        " FROM people WHERE channel=?1 AND ext_id=?2");
    struct arrival a = {0};
    struct store_stmt *s = store_stmt(st, find);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    store_bind_text(s, 3, name);
    store_bind_int(s, 4, contact);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        person_seen(s, now, &a);
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "person find");
    return person_write(st, &a, channel, user, name, now, id, account, contact);
}

/*
 * A batch's arrivals read before its turns run, in one statement
 * (store_arrivals_load, PostgreSQL): store_arrival's statement was a round
 * trip a message, the most frequent of a turn (bench/inbound-pg). An entry
 * answers the first turn of its person only: that turn writes the person's
 * row and the message's inbound row, so the entries of the person (another
 * message of theirs in the batch, or the same message again, a replay) are
 * dropped when it is taken, and those turns ask the database. The
 * statements that change people rows other than the turn's own (a link, an
 * erasure, a consent, an import) or inbound rows forget them all
 * (store_arrivals_forget), as do the transaction's end and a rollback to
 * its savepoint.
 */
struct arrival_pre {
    char *channel, *user, *ext_id;
    bool known;              /* a people row */
    int64_t id, account, seen; /* its id, its account's, last_seen_ms */
    char *name;
    bool consent, linked;
    bool has_in;             /* an inbound row holds the key */
    int64_t created;         /* its created_ms */
    char *replies, *intent;
};

static void arrival_pre_clear(struct arrival_pre *e)
{
    free(e->channel);
    free(e->user);
    free(e->ext_id);
    free(e->name);
    free(e->replies);
    free(e->intent);
}

void store_arrivals_forget(struct store *st)
{
    for (size_t i = 0; i < st->npre; i++)
        arrival_pre_clear(&st->pre[i]);
    st->npre = 0;
}

/* Drop the entries of (channel, user): their row is about to change. */
static void arrivals_drop(struct store *st, const char *channel, const char *user)
{
    for (size_t i = 0; i < st->npre;)
        if (strcmp(st->pre[i].channel, channel) == 0 && strcmp(st->pre[i].user, user) == 0) {
            arrival_pre_clear(&st->pre[i]);
            st->pre[i] = st->pre[--st->npre];
        } else {
            i++;
        }
}

/* person's state rows, as the JSON array of [key, value, expires_ms] of
 * the arrivals statement (NULL: none), into the copy: false when the text
 * does not parse (the copy is then not marked as holding them). */
static bool state_from_json(struct store *st, int64_t person, const char *states)
{
    json_t *a = states != NULL ? json_loads(states, 0, NULL) : NULL, *r;
    size_t i;
    if (states != NULL && !json_is_array(a)) {
        json_decref(a);
        return false;
    }
    json_array_foreach(a, i, r)
    {
        const char *k = json_string_value(json_array_get(r, 0));
        const char *v = json_string_value(json_array_get(r, 1));
        if (k != NULL && v != NULL)
            state_add(st, person, xstrdup(k), xstrdup(v),
                      json_integer_value(json_array_get(r, 2)));
    }
    json_decref(a);
    return true;
}

/* One row of the arrivals statement into e, and its person's state rows
 * into the copy (store_state_get). */
static void arrival_pre_read(struct store *st, struct store_stmt *s, struct arrival_pre *e)
{
    if (store_col_type(s, 1) != SQLITE_NULL) {
        e->known = true;
        e->id = store_col_int64(s, 1);
        e->account = store_col_int64(s, 2);
        e->seen = store_col_int64(s, 3);
        e->name = store_col_text(s, 4);
        e->consent = store_col_int(s, 5) != 0;
        e->linked = store_col_int(s, 6) != 0;
        if (!state_loaded(st, e->account) &&
            state_from_json(st, e->account, store_col_str(s, 10)))
            state_mark(st, e->account);
    }
    if (store_col_type(s, 7) != SQLITE_NULL) {
        e->has_in = true;
        e->created = store_col_int64(s, 7);
        e->replies = store_col_text(s, 8);
        e->intent = store_col_text(s, 9);
    }
}

int store_arrivals_load(struct store *st, const char *const *channels, const char *const *users,
                        const char *const *ext_ids, size_t n)
{
    /* The SQLite text is never run; it is the statement's shape (three
     * parameters, eleven columns). PostgreSQL's (bot/store_pg.c): each
     * (channel, user, ext_id) of the arrays with store_arrival's row, and
     * the state rows of the person's account as a JSON array. */
    SQL(sql_arrivals, "SELECT length(?1) + length(?2) + length(?3) AS n, 0 AS id, 0 AS account,"
                      " 0 AS seen, '' AS name, 0 AS consent, 0 AS linked, 0 AS created,"
                      " '' AS replies, '' AS intent, '' AS states");
    struct buf c, u, x;
    int rc = SQLITE_DONE;
    store_arrivals_forget(st);
    if (!store_shared(st) || n == 0)
        return 0;
    struct store_stmt *s = store_stmt(st, sql_arrivals);
    if (s == NULL)
        return -1;
    if (st->precap < n) {
        st->precap = n;
        st->pre = xrealloc(st->pre, n * sizeof *st->pre);
    }
    buf_init(&c, 0);
    buf_init(&u, 0);
    buf_init(&x, 0);
    store_pg_text_array(&c, channels, n);
    store_pg_text_array(&u, users, n);
    store_pg_text_array(&x, ext_ids, n);
    store_bind_text(s, 1, c.data);
    store_bind_text(s, 2, u.data);
    store_bind_text(s, 3, x.data);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        int64_t k = store_col_int64(s, 0);
        if (k < 1 || (size_t)k > n || st->npre == n)
            continue;
        struct arrival_pre *e = &st->pre[st->npre++];
        memset(e, 0, sizeof *e);
        e->channel = xstrdup(channels[k - 1]);
        e->user = xstrdup(users[k - 1]);
        e->ext_id = xstrdup(ext_ids[k - 1]);
        arrival_pre_read(st, s, e);
    }
    store_reset(s);
    buf_release(&c);
    buf_release(&u);
    buf_release(&x);
    if (rc != SQLITE_DONE) {
        store_arrivals_forget(st);
        store_state_forget(st);
        return store_fail(st, "arrivals");
    }
    return 0;
}

/* The entry of the message, into a, its person's entries dropped: 1, or 0
 * when there is none. */
static int arrival_cached(struct store *st, const char *channel, const char *user,
                          const char *name, const char *ext_id, int64_t now, struct arrival *a)
{
    struct arrival_pre *e = NULL;
    for (size_t i = 0; ext_id != NULL && i < st->npre && e == NULL; i++)
        if (strcmp(st->pre[i].ext_id, ext_id) == 0 && strcmp(st->pre[i].user, user) == 0 &&
            strcmp(st->pre[i].channel, channel) == 0)
            e = &st->pre[i];
    if (e == NULL)
        return 0;
    if (e->known) {
        /* store_arrival's column 3 and person_stale, in C */
        bool same = name == NULL || (e->name != NULL && strcmp(e->name, name) == 0);
        a->known = true;
        a->id = e->id;
        a->account = e->account;
        a->stale = stale_at(now, e->seen, same && e->consent, e->linked);
    }
    if (e->known && e->has_in)
        arrival_key_seen(a, e->created, now);
    if (a->replay) {
        a->replies = e->replies;
        a->intent = e->intent;
        e->replies = e->intent = NULL;
    }
    arrivals_drop(st, channel, user);
    return 1;
}

int store_arrival(struct store *st, const char *channel, const char *user, const char *name,
                  const char *ext_id, int64_t now, struct arrival *a)
{
    /* person_upsert's find for a message (contact), and store_inbound_get's
     * row of the message's key, whatever its age: one round trip. */
    SQL(look,
        "SELECT p.id, coalesce(p.account_id, p.id), p.last_seen_ms,"
        " (CAST(?3 AS TEXT) IS NULL OR p.name IS NOT DISTINCT FROM ?3) AND p.consent IS NOT NULL,"
        " p.account_id IS NOT NULL OR EXISTS(SELECT 1 FROM people q WHERE q.account_id=p.id),"
        " i.created_ms, i.replies, i.intent"
        " FROM people p LEFT JOIN inbound i ON i.channel=?1 AND i.ext_id=?4 AND i.person_id=p.id"
        " WHERE p.channel=?1 AND p.ext_id=?2");
    memset(a, 0, sizeof *a);
    if (st->npre > 0 && arrival_cached(st, channel, user, name, ext_id, now, a) == 1)
        return 0;
    struct store_stmt *s = store_stmt(st, look);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    store_bind_text(s, 3, name);
    store_bind_text(s, 4, ext_id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        person_seen(s, now, a);
        if (store_col_type(s, 5) != SQLITE_NULL)
            arrival_key_seen(a, store_col_int64(s, 5), now);
        if (a->replay) {
            a->replies = store_col_text(s, 6);
            a->intent = store_col_text(s, 7);
        }
    }
    store_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(st, "arrival");
}

void arrival_release(struct arrival *a)
{
    free(a->replies);
    free(a->intent);
    memset(a, 0, sizeof *a);
}

int store_person_arrived(struct store *st, const struct arrival *a, const char *channel,
                         const char *user, const char *name, int64_t now, int64_t *id,
                         int64_t *account)
{
    return person_write(st, a, channel, user, name, now, id, account, true);
}

int store_person_arrive(struct store *st, const char *channel, const char *user,
                        const char *name, int64_t now, int64_t *id, int64_t *account)
{
    return person_upsert(st, channel, user, name, now, id, account, true);
}

int store_person_ensure(struct store *st, const char *channel, const char *user,
                        const char *name, int64_t now, int64_t *id)
{
    /* made or renamed outside their own turn (an admin call, an import):
     * under their lock, as their first message's turn makes them */
    if (store_person_lock(st, channel, user) == -1)
        return -1;
    return person_upsert(st, channel, user, name, now, id, NULL, false) == -1 ? -1 : 0;
}

int store_person_set_consent(struct store *st, int64_t id, const char *source)
{
    SQL(sql, "UPDATE people SET consent=?2 WHERE id=?1 AND consent IS NULL");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL || store_person_lock_id(st, id) == -1) /* an admin's or an import's */
        return -1;
    store_arrivals_forget(st);
    if (store_bind_int64(s, 1, id) != SQLITE_OK ||
        store_bind_text(s, 2, source) != SQLITE_OK)
        return store_fail(st, "person consent bind");
    return store_step_done(st, s, "person consent");
}

int store_person_find(struct store *st, const char *channel, const char *user, int64_t *id)
{
    SQL(sql, "SELECT id FROM people WHERE channel=? AND ext_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "person find");
}

int store_person_info(struct store *st, int64_t id, struct person_info *out)
{
    SQL(sql, "SELECT created_ms, opted_out, coalesce(opt_changed_ms, 0) FROM people WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->created_ms = store_col_int64(s, 0);
        out->opted_out = store_col_int(s, 1) != 0;
        out->opt_changed_ms = store_col_int64(s, 2);
    }
    store_reset(s);
    if (rc == SQLITE_DONE)
        return log_fail("store: person %lld not found", (long long)id);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "person info");
}

int store_person_set_optout(struct store *st, int64_t id, bool opted_out, int64_t now)
{
    /* per account: every channel of a linked person (绑定) follows */
    SQL(sql, "UPDATE people SET opted_out=?1, opt_changed_ms=?2 WHERE coalesce(account_id, id)="
             "(SELECT coalesce(account_id, id) FROM people WHERE id=?3)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, opted_out);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    return store_step_done(st, s, "person optout");
}

/*
 * People's state rows, read once a transaction (store_state_get): a turn
 * asks for several keys, one by each open context's claim (turn.c), up to
 * eight reads of one person's rows in a turn and a round trip each on
 * PostgreSQL. On PostgreSQL the rows of a whole batch's people come with
 * its arrivals, in one statement (store_arrivals_load), and a person made
 * in this transaction has none. Within a transaction only this store
 * writes them: the turns' people are locked (store_person_lock), and a
 * write of a person's rows outside their own turn (a staff answer, a lesson
 * push, an admin edit) takes their lock first (store_person_lock_id), or,
 * on SQLite, the transaction holds the write lock; store_state_set and _del
 * keep the copy, and the other statements that write state forget it
 * (store_state_forget), as do the transaction's end and a rollback to its
 * savepoint.
 */
struct state_row {
    int64_t person;
    char *key, *value;
    int64_t expires_ms;
};

void store_state_forget(struct store *st)
{
    for (size_t i = 0; i < st->nsrows; i++) {
        free(st->srows[i].key);
        free(st->srows[i].value);
    }
    st->nsrows = 0;
    st->nsloaded = 0;
}

/* Whether the copy holds person's rows. */
static bool state_loaded(struct store *st, int64_t person)
{
    for (size_t i = 0; i < st->nsloaded; i++)
        if (st->sloaded[i] == person)
            return true;
    return false;
}

/* The copy holds person's rows from now on (those added after). */
static void state_mark(struct store *st, int64_t person)
{
    if (state_loaded(st, person))
        return;
    if (st->nsloaded == st->slcap) {
        st->slcap = st->slcap ? 2 * st->slcap : 16;
        st->sloaded = xrealloc(st->sloaded, st->slcap * sizeof *st->sloaded);
    }
    st->sloaded[st->nsloaded++] = person;
}

/* A row into the copy (key and value are taken). */
static struct state_row *state_add(struct store *st, int64_t person, char *key, char *value,
                                   int64_t expires_ms)
{
    if (st->nsrows == st->scap) {
        st->scap = st->scap ? 2 * st->scap : 16;
        st->srows = xrealloc(st->srows, st->scap * sizeof *st->srows);
    }
    struct state_row *r = &st->srows[st->nsrows++];
    *r = (struct state_row){person, key, value, expires_ms};
    return r;
}

static void state_row_read(struct store_stmt *s, void *out)
{
    struct state_row *r = out;
    r->key = store_col_text(s, 0);
    r->value = store_col_text(s, 1);
    r->expires_ms = store_col_int64(s, 2);
}

static void state_row_clear(void *out)
{
    struct state_row *r = out;
    free(r->key);
    free(r->value);
}

/* person's rows into the copy: 0 or -1. */
static int state_load(struct store *st, int64_t person)
{
    SQL(sql, "SELECT key, value, expires_ms FROM state WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    struct state_row *v;
    size_t n;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    if (store_read_all(st, s, "state get", state_row_read, state_row_clear,
                       sizeof(struct state_row), (void **)&v, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++)
        state_add(st, person, v[i].key, v[i].value, v[i].expires_ms);
    free(v);
    state_mark(st, person);
    return 0;
}

/* The copy's row of key for person, or NULL. */
static struct state_row *state_row(struct store *st, int64_t person, const char *key)
{
    for (size_t i = 0; i < st->nsrows; i++)
        if (st->srows[i].person == person && strcmp(st->srows[i].key, key) == 0)
            return &st->srows[i];
    return NULL;
}

int store_state_get(struct store *st, int64_t person, const char *key, int64_t now, char **value)
{
    bool keep = person != 0 && in_transaction(st);
    if (!keep) /* outside a transaction: read anew each time */
        store_state_forget(st);
    if (!state_loaded(st, person) && state_load(st, person) == -1)
        return -1;
    struct state_row *r = state_row(st, person, key);
    bool found = r != NULL && r->expires_ms > now;
    if (found)
        *value = xstrdup(r->value);
    if (!keep)
        store_state_forget(st);
    return found;
}

int store_state_set(struct store *st, int64_t person, const char *key, const char *value,
                    int64_t expires_ms)
{
    SQL(sql, "INSERT INTO state(person_id, key, value, expires_ms) VALUES(?,?,?,?)"
             " ON CONFLICT(person_id, key) DO UPDATE SET value=excluded.value,"
             " expires_ms=excluded.expires_ms");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, key);
    store_bind_text(s, 3, value);
    store_bind_int64(s, 4, expires_ms);
    if (store_step_queued(st, s, "state set") == -1) {
        store_state_forget(st);
        return -1;
    }
    struct state_row *r = state_row(st, person, key);
    if (r == NULL && state_loaded(st, person))
        r = state_add(st, person, xstrdup(key), NULL, 0);
    if (r != NULL) {
        free(r->value);
        r->value = xstrdup(value);
        r->expires_ms = expires_ms;
    }
    return 0;
}

int store_state_del(struct store *st, int64_t person, const char *key)
{
    SQL(sql, "DELETE FROM state WHERE person_id=? AND key=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, key);
    if (store_step_queued(st, s, "state del") == -1) {
        store_state_forget(st);
        return -1;
    }
    struct state_row *r = state_row(st, person, key);
    if (r != NULL) {
        free(r->key);
        free(r->value);
        *r = st->srows[--st->nsrows];
    }
    return 0;
}

/* Count n more of an unknown text, the last of them at last_ms. */
static int unknown_write(struct store *st, const struct unknown_hit *h, int n, int64_t first_ms,
                         int64_t last_ms)
{
    /* asked: the last time it came, it got a numbered choice */
    SQL(sql, "INSERT INTO unknown(text, count, first_ms, last_ms, asked) VALUES(?1,?5,?2,?3,?4)"
             " ON CONFLICT(text) DO UPDATE SET count=unknown.count+excluded.count,"
             " last_ms=excluded.last_ms, asked=excluded.asked");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, h->text);
    store_bind_int64(s, 2, first_ms);
    store_bind_int64(s, 3, last_ms);
    store_bind_int(s, 4, h->asked ? 1 : 0);
    store_bind_int(s, 5, n);
    return store_step_queued(st, s, "unknown add");
}

static void unknown_forget(struct store *st, size_t keep)
{
    while (st->nhits > keep)
        free(st->hits[--st->nhits].text);
}

/* By text, then in the order they came. */
static int hit_cmp(const void *a, const void *b)
{
    const struct unknown_hit *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The unknown texts a transaction counted, written just before its COMMIT:
 * one upsert per distinct text, in text order. A common text's row is a
 * hot spot: written mid-batch, its row lock was held through the rest of
 * the batch and the COMMIT, so two nodes on one PostgreSQL ran their
 * batches one after the other (bench/inbound-pg, pg2: a fifth of one
 * node's messages/s, a quarter of the backends' samples waiting on that
 * lock), and two batches counting two such texts in opposite orders could
 * deadlock. Now the lock is held only across the COMMIT, taken in one order
 * everywhere.
 */
static int unknown_flush(struct store *st)
{
    qsort(st->hits, st->nhits, sizeof *st->hits, hit_cmp);
    int rc = 0;
    for (size_t i = 0, j; rc == 0 && i < st->nhits; i = j) {
        int64_t first = st->hits[i].now, last = st->hits[i].now;
        for (j = i + 1; j < st->nhits && strcmp(st->hits[j].text, st->hits[i].text) == 0; j++) {
            first = st->hits[j].now < first ? st->hits[j].now : first;
            last = st->hits[j].now > last ? st->hits[j].now : last;
        }
        rc = unknown_write(st, &st->hits[j - 1], (int)(j - i), first, last);
    }
    unknown_forget(st, 0);
    return rc;
}

static int unknown_add(struct store *st, const char *text, int64_t now, bool asked)
{
    struct unknown_hit h = {(char *)text, now, st->nhits, asked};
    if (!in_transaction(st))
        return unknown_write(st, &h, 1, now, now);
    if (st->nhits == st->hits_cap) {
        st->hits_cap = st->hits_cap ? 2 * st->hits_cap : 16;
        st->hits = xrealloc(st->hits, st->hits_cap * sizeof *st->hits);
    }
    h.text = xstrdup(text);
    st->hits[st->nhits++] = h;
    return 0;
}

int store_unknown_add(struct store *st, const char *text, int64_t now)
{
    return unknown_add(st, text, now, false);
}

int store_unknown_asked(struct store *st, const char *text, int64_t now)
{
    return unknown_add(st, text, now, true);
}

int store_unknown_top(struct store *st, int limit, store_unknown_fn fn, void *ctx)
{
    SQL(sql, "SELECT text, count, last_ms, asked FROM unknown ORDER BY count DESC, last_ms DESC "
             "LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    int n = 0, rc;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, limit);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        fn(store_col_str(s, 0), store_col_int64(s, 1),
           store_col_int64(s, 2), store_col_int(s, 3) != 0, ctx);
        n++;
    }
    store_reset(s);
    return rc == SQLITE_DONE ? n : store_fail(st, "unknown top");
}

int store_probe(struct store *st, int64_t now)
{
    SQL(sql, "INSERT INTO meta(k, v) VALUES('probe', ?1)"
             " ON CONFLICT(k) DO UPDATE SET v=excluded.v");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_begin(st) == -1)
        return -1;
    store_bind_int64(s, 1, now);
    if (store_step_done(st, s, "probe") == -1) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st) == -1) { /* a failed COMMIT can leave the transaction open */
        if (in_transaction(st))
            store_rollback(st);
        return -1;
    }
    return 0;
}

/* --- examples taught from the dashboard (understand.h, handle_understand.c) --- */

int store_taught_add(struct store *st, const char *text, const char *intent, int64_t now)
{
    SQL(add,
        "INSERT INTO taught(text, intent, created_ms) VALUES(?1,?2,?3)"
        " ON CONFLICT(text) DO UPDATE SET intent=excluded.intent, created_ms=excluded.created_ms");
    SQL(bump, "INSERT INTO meta(k, v) VALUES('taught_version', '1')"
              " ON CONFLICT(k) DO UPDATE SET v=CAST(CAST(meta.v AS INTEGER) + 1 AS TEXT)");
    SQL(known, "DELETE FROM unknown WHERE text=?1");
    struct store_stmt *s = store_stmt(st, add);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, text);
    store_bind_text(s, 2, intent);
    store_bind_int64(s, 3, now);
    if (store_step_done(st, s, "taught add") == -1 || (s = store_stmt(st, known)) == NULL)
        return -1;
    store_bind_text(s, 1, text);
    if (store_step_done(st, s, "taught unknown") == -1 || (s = store_stmt(st, bump)) == NULL)
        return -1;
    return store_step_done(st, s, "taught version");
}

int64_t store_taught_version(struct store *st)
{
    SQL(sql, "SELECT CAST(v AS INTEGER) FROM meta WHERE k='taught_version'");
    struct store_stmt *s = store_stmt(st, sql);
    int64_t v = 0;
    if (s == NULL)
        return -1;
    /* no row yet: version 0 */
    return store_read_one(st, s, "taught version", store_read_id, &v, sizeof v) == -1 ? -1 : v;
}

int store_taught_list(struct store *st, store_taught_fn fn, void *ctx)
{
    SQL(sql, "SELECT text, intent FROM taught ORDER BY created_ms, text");
    struct store_stmt *s = store_stmt(st, sql);
    int n = 0, rc;
    if (s == NULL)
        return -1;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        fn(store_col_str(s, 0), store_col_str(s, 1), ctx);
        n++;
    }
    store_reset(s);
    return rc == SQLITE_DONE ? n : store_fail(st, "taught list");
}
