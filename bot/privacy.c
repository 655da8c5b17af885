/*
 * privacy.c - erasure and retention (privacy.h): the store changes come from
 * store_privacy.c; the photo files and the log are here.
 */
#include "privacy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "handler.h"
#include "log.h"
#include "media.h"
#include "store.h"
#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)
#define RETENTION_BATCH 2000 /* rows of each kind one tick changes at most */

/* Delete the files of shas that no row names any more. Deleting inside the
 * transaction: if it then rolls back, rows name a photo that is gone, which
 * the photo route answers with 404; the erasure or retention run repeats. */
static int delete_photos(const struct app *app, struct store *st, json_t *shas)
{
    size_t i;
    json_t *v;
    json_array_foreach(shas, i, v)
    {
        const char *sha = json_string_value(v);
        int unused = store_privacy_sha_unused(st, sha);
        if (unused == -1)
            return -1;
        char *path = unused ? media_path(app->conf->media_dir, sha) : NULL;
        if (path != NULL && unlink(path) == -1 && errno != ENOENT)
            log_warn("privacy: %s: cannot delete: %s", path, strerror(errno));
        free(path);
    }
    return 0;
}

/* The one place an erasure is recorded; the audit trail takes it over. */
static void privacy_audit(int64_t person, const char *by, const char *reason)
{
    log_info("privacy: person %lld erased (asked by %s%s%s)", (long long)person, by,
             reason ? ": " : "", reason ? reason : "");
}

int privacy_erase(const struct app *app, struct store *st, int64_t person, int64_t now,
                  const char *by, const char *reason)
{
    int64_t account = 0;
    int found = store_privacy_account(st, person, &account);
    if (found != 1)
        return found;
    json_t *shas = json_array();
    int rc = store_privacy_erase(st, account, now, shas) == -1 ||
                     delete_photos(app, st, shas) == -1
                 ? -1
                 : 1;
    json_decref(shas);
    if (rc == 1)
        privacy_audit(person, by, reason);
    return rc;
}

int privacy_tick(const struct app *app, struct store *st, int64_t now)
{
    const struct conf *c = app->conf;
    char today[16], done[16] = "";
    turn_fmt_time(now, "%Y-%m-%d", today, sizeof today);
    int rc = store_privacy_meta_get(st, "retention.day", done, sizeof done);
    if (rc == -1)
        return -1;
    if (rc == 1 && strcmp(done, today) == 0)
        return 0; /* once a day; a big backlog takes a few ticks */
    struct retention_cut cut = {
        .messages = now - c->retention.messages_days * DAY_MS,
        .photos = now - c->retention.photos_days * DAY_MS,
        .desk = now - c->retention.desk_days * DAY_MS,
        .crisis = now - c->retention.crisis_days * DAY_MS,
    };
    json_t *shas = json_array();
    int more = store_privacy_retention(st, &cut, RETENTION_BATCH, shas);
    rc = more == -1 || delete_photos(app, st, shas) == -1 ? -1 : 0;
    json_decref(shas);
    if (rc == 0 && more == 0)
        rc = store_privacy_meta_set(st, "retention.day", today);
    return rc;
}
