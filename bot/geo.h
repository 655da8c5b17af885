/*
 * geo.h - district boundaries for 随手拍: a GeoJSON FeatureCollection of
 * (Multi)Polygons named by properties.name, loaded once at startup
 * ([report] boundaries), and which district a point lies in.
 */
#ifndef BOT_GEO_H
#define BOT_GEO_H
#include <stddef.h>

struct buf;
struct geo;

/* Load path. NULL with a line in errors ("path: reason") when the file is not
 * such a collection. */
struct geo *geo_load(const char *path, struct buf *errors);
void geo_free(struct geo *g);
/* The name of the district containing (lat, lon), or NULL (outside every
 * one, or g NULL). Borrowed from g. */
const char *geo_district(const struct geo *g, double lat, double lon);
/* Districts in file order. */
size_t geo_count(const struct geo *g);
const char *geo_name(const struct geo *g, size_t i);

#endif
