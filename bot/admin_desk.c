/*
 * admin_desk.c - /admin/api/ routes of the service desk and the members:
 * volunteers (register, list), mentoring pairs (pair, list with last contact
 * and the silent flag), tickets (list with status, response time and rating;
 * one with its messages), members (record, list by city and staleness).
 * Ticket text is shown here, to admins, and in chat to the desk's volunteers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "desk.h"
#include "handler.h"
#include "member.h"
#include "store.h"
#include "util.h"

#define MAX_NAME 200

/*
 * The person of "<channel>:<platform id>" (made when new: volunteers and
 * members may not have written yet). 1 with *id set, 0 malformed (400 set),
 * -1 store error.
 */
static int person_of(struct store *st, const char *v, const char *field, int64_t now, int64_t *id,
                     struct http_resp *resp)
{
    char why[160];
    const char *colon = v ? strchr(v, ':') : NULL;
    char *channel = NULL;
    int rc = 0;
    if (colon == NULL || colon == v || colon[1] == '\0' || strlen(v) > MAX_NAME) {
        snprintf(why, sizeof why, "'%s' must be \"<channel>:<platform id>\"", field);
        http_resp_error(resp, 400, why);
        return 0;
    }
    channel = xstrndup(v, (size_t)(colon - v));
    if (channel_by_name(channel) == NULL) {
        snprintf(why, sizeof why, "'%s': unknown channel", field);
        http_resp_error(resp, 400, why);
        goto out;
    }
    rc = store_person_find(st, channel, colon + 1, id);
    if (rc == 0)
        rc = store_person_ensure(st, channel, colon + 1, NULL, now, id) == 0 ? 1 : -1;
out:
    free(channel);
    return rc;
}

/* An optional string field: NULL when absent, *bad when present but not a
 * string of 1..MAX_NAME bytes. */
static const char *opt_str(json_t *b, const char *key, bool *bad)
{
    json_t *v = json_object_get(b, key);
    if (v == NULL || json_is_null(v))
        return NULL;
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) > MAX_NAME)
        *bad = true;
    return s;
}

static const char *const desk_names[] = {"legal", "tutoring", "counsel", "general", NULL};

static bool is_desk(const char *s)
{
    for (int i = 0; desk_names[i]; i++)
        if (strcmp(desk_names[i], s) == 0)
            return true;
    return false;
}

/* POST /volunteers {"name","person","desks":["legal",...],"hours":"HH:MM-HH:MM"} */
static int volunteer_add(struct store *st, int64_t now, const struct admin_req *rq,
                         struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    bool bad = false;
    int rc = 0;
    int64_t person = 0, id = 0;
    char desks[64] = ",";
    if (b == NULL)
        return 0;
    const char *name = opt_str(b, "name", &bad);
    const char *hours = opt_str(b, "hours", &bad);
    json_t *dv = json_object_get(b, "desks");
    if (name == NULL || bad) {
        http_resp_error(resp, 400, "'name' must be a non-empty string");
        goto out;
    }
    if (hours != NULL && conf_windows_parse(hours, NULL, 0) <= 0) {
        http_resp_error(resp, 400, "'hours' must be HH:MM-HH:MM[,HH:MM-HH:MM...]");
        goto out;
    }
    if (!json_is_array(dv) || json_array_size(dv) == 0 || json_array_size(dv) > 3) {
        http_resp_error(resp, 400, "'desks' must be a list of legal, tutoring, counsel, general");
        goto out;
    }
    size_t i;
    json_t *d;
    json_array_foreach(dv, i, d)
    {
        const char *s = json_string_value(d);
        if (s == NULL || !is_desk(s)) {
            http_resp_error(resp, 400,
                            "'desks' must be a list of legal, tutoring, counsel, general");
            goto out;
        }
        if (strstr(desks, s) == NULL) {
            strcat(desks, s); /* at most 3 known names: fits */
            strcat(desks, ",");
        }
    }
    int found = person_of(st, json_string_value(json_object_get(b, "person")), "person", now,
                          &person, resp);
    if (found != 1) {
        rc = found;
        goto out;
    }
    if (store_desk_volunteer_set(st, person, name, desks, hours ? hours : "", now, &id) == -1) {
        rc = -1;
        goto out;
    }
    admin_reply(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name));
out:
    json_decref(b);
    return rc;
}

/* POST /mentoring {"worker","mentor","mentor_name"} */
static int mentoring_add(struct store *st, int64_t now, const struct admin_req *rq,
                         struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    bool bad = false;
    int rc = 0, found;
    int64_t worker = 0, mentor = 0, id = 0;
    char code[32];
    if (b == NULL)
        return 0;
    const char *name = opt_str(b, "mentor_name", &bad);
    if (bad) {
        http_resp_error(resp, 400, "'mentor_name' must be a non-empty string");
        goto out;
    }
    found = person_of(st, json_string_value(json_object_get(b, "worker")), "worker", now, &worker,
                      resp);
    if (found == 1)
        found = person_of(st, json_string_value(json_object_get(b, "mentor")), "mentor", now,
                          &mentor, resp);
    if (found != 1) {
        rc = found;
        goto out;
    }
    if (worker == mentor) {
        http_resp_error(resp, 400, "'worker' and 'mentor' must be two people");
        goto out;
    }
    if (store_mentor_add(st, worker, mentor, name, now, &id) == -1) {
        rc = -1;
        goto out;
    }
    snprintf(code, sizeof code, "P%lld", (long long)id);
    admin_reply(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "code", code));
out:
    json_decref(b);
    return rc;
}

/* GET /tickets?status=&desk=&limit= */
/* Counselling tickets and any ticket with crisis words only for the roles
 * that may read them (the counselling desk, the super admin); the
 * counselling desk sees nothing else. */
/* A string or null. */
static json_t *str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

/* A time, or null for 0 (not yet). */
static json_t *ms_or_null(int64_t ms)
{
    return ms != 0 ? json_integer((json_int_t)ms) : json_null();
}

json_t *ticket_entry_json(const struct ticket_entry *t, bool with_messages,
                          const struct ticket_message *m, size_t nm)
{
    char code[32];
    snprintf(code, sizeof code, "T%lld", (long long)t->id);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "id", (json_int_t)t->id,
                  "code", code, "desk", t->desk ? t->desk : "", "status",
                  t->status ? t->status : "", "created_ms", (json_int_t)t->created_ms, "taken_ms",
                  ms_or_null(t->taken_ms), "answered_ms", ms_or_null(t->answered_ms), "closed_ms",
                  ms_or_null(t->closed_ms), "escalated_ms", ms_or_null(t->escalated_ms), "rating",
                  t->rating != 0 ? json_integer(t->rating) : json_null(), "crisis", t->crisis,
                  "volunteer", str_or_null(t->volunteer), "question", str_or_null(t->question));
    /* response time: from the ticket to the volunteer's first answer */
    json_object_set_new(o, "response_seconds",
                        t->answered_ms != 0
                            ? json_integer((json_int_t)((t->answered_ms - t->created_ms) / 1000))
                            : json_null());
    if (with_messages) {
        json_t *a = json_array();
        for (size_t i = 0; i < nm; i++)
            json_array_append_new(a, json_pack("{s:s,s:s,s:I}", "side", m[i].side ? m[i].side : "",
                                               "text", m[i].text ? m[i].text : "", "ms",
                                               (json_int_t)m[i].ms));
        json_object_set_new(o, "messages", a);
    }
    return o;
}

bool admin_ticket_visible(const struct admin_req *rq, json_t *t)
{
    const char *desk = json_string_value(json_object_get(t, "desk"));
    bool sensitive =
        (desk && strcmp(desk, "counsel") == 0) || json_is_true(json_object_get(t, "crisis"));
    if (rq->role != NULL && strcmp(rq->role, ADMIN_ROLE_COUNSEL) == 0)
        return sensitive;
    return !sensitive || admin_role_sensitive(rq->role);
}

static int ticket_list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    const char *status = json_string_value(json_object_get(rq->query, "status"));
    const char *desk = json_string_value(json_object_get(rq->query, "desk"));
    if (status != NULL && strcmp(status, "open") != 0 && strcmp(status, "taken") != 0 &&
        strcmp(status, "closed") != 0) {
        http_resp_error(resp, 400, "'status' must be open, taken or closed");
        return 0;
    }
    if (desk != NULL && !is_desk(desk)) {
        http_resp_error(resp, 400, "'desk' must be legal, tutoring, counsel or general");
        return 0;
    }
    struct ticket_entry *v;
    size_t n;
    if (store_desk_ticket_list(st, status, desk, admin_query_limit(rq, 100), &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(a, ticket_entry_json(&v[k], false, NULL, 0));
    ticket_entry_free_all(v, n);
    size_t i = 0;
    while (i < json_array_size(a)) {
        if (admin_ticket_visible(rq, json_array_get(a, i)))
            i++;
        else
            json_array_remove(a, i);
    }
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

json_t *member_entry_json(const struct member_entry *m)
{
    json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)m->id, "person",
                          m->person ? m->person : "", "org", m->org ? m->org : "");
    json_object_set_new(o, "name", str_or_null(m->name));
    json_object_set_new(o, "contact", str_or_null(m->contact));
    json_object_set_new(o, "city", str_or_null(m->city));
    json_object_set_new(o, "lat", m->has_lat ? json_real(m->lat) : json_null());
    json_object_set_new(o, "lon", m->has_lon ? json_real(m->lon) : json_null());
    json_object_set_new(o, "checkin_ms",
                        m->has_checkin ? json_integer((json_int_t)m->checkin_ms) : json_null());
    json_object_set_new(o, "last_seen_ms", json_integer((json_int_t)m->last_seen_ms));
    json_object_set_new(o, "created_ms", json_integer((json_int_t)m->created_ms));
    return o;
}

json_t *volunteer_entry_json(const struct volunteer_entry *v)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:b,s:I,s:I,s:s}", "id", (json_int_t)v->id, "name",
                     v->name ? v->name : "", "desks", v->desks ? v->desks : "", "hours",
                     v->hours ? v->hours : "", "active", v->active, "last_offer_ms",
                     (json_int_t)v->last_offer_ms, "tickets", (json_int_t)v->tickets, "person",
                     v->person ? v->person : "");
}

static int volunteers_get_all(struct store *st, struct http_resp *resp)
{
    struct volunteer_entry *v;
    size_t n;
    if (store_desk_volunteer_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, volunteer_entry_json(&v[i]));
    volunteer_entry_free_all(v, n);
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

json_t *mentor_entry_json(const struct mentor_entry *m)
{
    char code[32];
    snprintf(code, sizeof code, "P%lld", (long long)m->id);
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:b,s:I,s:o,s:b,s:o,s:I}", "id", (json_int_t)m->id,
                     "code", code, "worker", m->worker ? m->worker : "", "mentor",
                     m->mentor ? m->mentor : "", "mentor_name", m->mentor_name, "active", m->active,
                     "created_ms", (json_int_t)m->created_ms, "last_contact_ms",
                     m->has_contact ? json_integer((json_int_t)m->last_contact_ms) : json_null(),
                     "silent", m->silent, "flagged_ms",
                     m->silent ? json_integer((json_int_t)m->flagged_ms) : json_null(), "messages",
                     (json_int_t)m->messages);
}

static int mentoring_get_all(struct store *st, struct http_resp *resp)
{
    struct mentor_entry *v;
    size_t n;
    if (store_mentor_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, mentor_entry_json(&v[i]));
    mentor_entry_free_all(v, n);
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int ticket_get(struct store *st, const struct admin_req *rq, int64_t id,
                      struct http_resp *resp)
{
    struct ticket_entry t;
    struct ticket_message *m;
    size_t nm;
    int f = store_desk_ticket_show(st, id, &t, &m, &nm);
    if (f == -1)
        return -1;
    json_t *o = f == 1 ? ticket_entry_json(&t, true, m, nm) : json_null();
    ticket_entry_clear(&t);
    ticket_message_free_all(m, nm);
    if (json_is_null(o) || !admin_ticket_visible(rq, o)) { /* another desk's: as if none */
        json_decref(o);
        http_resp_error(resp, 404, "no such ticket");
        return 0;
    }
    admin_reply(resp, 200, o);
    return 0;
}

/* POST /members {"person","name","org","contact","consent"}: "consent" records
 * how the member agreed to get broadcasts (a signed form, a date) for a
 * member who has not written to the bot yet (store_person_set_consent). */
static int member_add(struct store *st, int64_t now, const struct admin_req *rq,
                      struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    bool bad = false;
    int rc = 0;
    int64_t person = 0, id = 0;
    if (b == NULL)
        return 0;
    const char *name = opt_str(b, "name", &bad);
    const char *org = opt_str(b, "org", &bad);
    const char *contact = opt_str(b, "contact", &bad);
    const char *consent = opt_str(b, "consent", &bad);
    if (org == NULL || bad) {
        http_resp_error(resp, 400,
                        "'org' must be a non-empty string; 'name', 'contact',"
                        " 'consent' strings when given");
        goto out;
    }
    int found = person_of(st, json_string_value(json_object_get(b, "person")), "person", now,
                          &person, resp);
    if (found != 1) {
        rc = found;
        goto out;
    }
    if (store_member_set(st, person, name, org, contact, now, &id) == -1 ||
        (consent != NULL && store_person_set_consent(st, person, consent) == -1)) {
        rc = -1;
        goto out;
    }
    admin_reply(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
    json_decref(b);
    return rc;
}

/* GET /members?city=&stale_days=&limit= */
static int member_list(struct store *st, int64_t now, const struct admin_req *rq,
                       struct http_resp *resp)
{
    const char *city = json_string_value(json_object_get(rq->query, "city"));
    const char *stale = json_string_value(json_object_get(rq->query, "stale_days"));
    long long days = 0;
    if (city != NULL && city[0] == '\0')
        city = NULL;
    if (stale != NULL && parse_int(stale, 1, 3650, &days) == -1) {
        http_resp_error(resp, 400, "'stale_days' must be an integer 1..3650");
        return 0;
    }
    int64_t before = days > 0 ? now - days * 86400000LL : 0;
    struct member_entry *v;
    size_t n;
    if (store_member_list(st, city, before, admin_query_limit(rq, 500), &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, member_entry_json(&v[i]));
    member_entry_free_all(v, n);
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int not_allowed(struct http_resp *resp, const char *allow)
{
    char why[64];
    snprintf(why, sizeof why, "method not allowed: use %s", allow);
    http_resp_error(resp, 405, why);
    return 1;
}

int admin_desk_route(const struct app *app, struct store *st, int64_t now,
                     const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    (void)app;
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int64_t id = 0;
    int rc;
    if (nseg == 1 && strcmp(seg[0], "volunteers") == 0) {
        if (post)
            rc = volunteer_add(st, now, rq, resp);
        else if (get)
            rc = volunteers_get_all(st, resp);
        else
            return not_allowed(resp, "GET, POST");
    } else if (nseg == 1 && strcmp(seg[0], "mentoring") == 0) {
        if (post)
            rc = mentoring_add(st, now, rq, resp);
        else if (get)
            rc = mentoring_get_all(st, resp);
        else
            return not_allowed(resp, "GET, POST");
    } else if (nseg == 1 && strcmp(seg[0], "tickets") == 0) {
        if (!get)
            return not_allowed(resp, "GET");
        rc = ticket_list(st, rq, resp);
    } else if (nseg == 2 && strcmp(seg[0], "tickets") == 0 && admin_parse_id(seg[1], &id) == 0) {
        if (!get)
            return not_allowed(resp, "GET");
        rc = ticket_get(st, rq, id, resp);
    } else if (nseg == 1 && strcmp(seg[0], "members") == 0) {
        if (post)
            rc = member_add(st, now, rq, resp);
        else if (get)
            rc = member_list(st, now, rq, resp);
        else
            return not_allowed(resp, "GET, POST");
    } else {
        return 0;
    }
    return rc == -1 ? -1 : 1;
}
