/*
 * handle_station.c - 驿站在哪, 几点开门 (intents/08-station.rules): the
 * office keeps the station's address, hours and what it offers in content
 * key station.info (content/messages.txt), edited live from the dashboard.
 * The smallest whole feature: one intent, one content key (docs/features.md).
 */
#include "feature.h"
#include "handler.h"

static const struct content_need station_needs[] = {
    CONTENT_NEED("station.info", ""),
    CONTENT_NEED_END,
};

static int handle_station(struct turn *t)
{
    return say(t, "station.info", NULL);
}

const struct feature feature_station = {
    .name = "station",
    .intents = (const struct handler[]){
        {"station", handle_station, false},
        {NULL, NULL, false},
    },
    .needs = {station_needs},
};
