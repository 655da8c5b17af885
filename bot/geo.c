/*
 * geo.c - see geo.h. Jansson reads the GeoJSON; the point-in-polygon test is
 * the even-odd ray crossing rule over every ring of a polygon (holes
 * included), a dozen lines, written here rather than pulling in GEOS for one
 * predicate. Coordinates are [lon, lat] as RFC 7946 says.
 */
#include "geo.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

struct ring {
    double *xy; /* lon, lat pairs */
    size_t n;
};

struct district {
    char *name;
    struct ring *rings; /* the rings of all its polygons */
    int *poly;          /* the polygon each ring belongs to */
    size_t nrings;
    double minx, miny, maxx, maxy; /* bounding box */
};

struct geo {
    struct district *d;
    size_t n;
};

void geo_free(struct geo *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n; i++) {
        for (size_t r = 0; r < g->d[i].nrings; r++)
            free(g->d[i].rings[r].xy);
        free(g->d[i].rings);
        free(g->d[i].poly);
        free(g->d[i].name);
    }
    free(g->d);
    free(g);
}

/* Append one ring (an array of [lon, lat]) of polygon poly. 0 or -1. */
static int add_ring(struct district *d, json_t *ring, int poly)
{
    size_t n = json_array_size(ring);
    if (n < 4)
        return -1;
    struct ring r = {xmalloc(n * 2 * sizeof(double)), n};
    for (size_t i = 0; i < n; i++) {
        json_t *pt = json_array_get(ring, i);
        json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
        if (!json_is_number(x) || !json_is_number(y)) {
            free(r.xy);
            return -1;
        }
        r.xy[2 * i] = json_number_value(x);
        r.xy[2 * i + 1] = json_number_value(y);
        if (d->nrings == 0 && i == 0) {
            d->minx = d->maxx = r.xy[0];
            d->miny = d->maxy = r.xy[1];
        }
        d->minx = r.xy[2 * i] < d->minx ? r.xy[2 * i] : d->minx;
        d->maxx = r.xy[2 * i] > d->maxx ? r.xy[2 * i] : d->maxx;
        d->miny = r.xy[2 * i + 1] < d->miny ? r.xy[2 * i + 1] : d->miny;
        d->maxy = r.xy[2 * i + 1] > d->maxy ? r.xy[2 * i + 1] : d->maxy;
    }
    d->rings = xrealloc(d->rings, (d->nrings + 1) * sizeof *d->rings);
    d->poly = xrealloc(d->poly, (d->nrings + 1) * sizeof *d->poly);
    d->rings[d->nrings] = r;
    d->poly[d->nrings++] = poly;
    return 0;
}

/* The rings of one polygon (an array of rings). 0 or -1. */
static int add_polygon(struct district *d, json_t *polygon, int poly)
{
    size_t i;
    json_t *ring;
    if (!json_is_array(polygon) || json_array_size(polygon) == 0)
        return -1;
    json_array_foreach(polygon, i, ring)
    {
        if (add_ring(d, ring, poly) == -1)
            return -1;
    }
    return 0;
}

static int add_feature(struct district *d, json_t *f)
{
    json_t *geom = json_object_get(f, "geometry");
    const char *type = json_string_value(json_object_get(geom, "type"));
    const char *name = json_string_value(json_object_get(json_object_get(f, "properties"), "name"));
    json_t *coords = json_object_get(geom, "coordinates");
    if (name == NULL || name[0] == '\0' || type == NULL || !json_is_array(coords))
        return -1;
    d->name = xstrdup(name);
    if (strcmp(type, "Polygon") == 0)
        return add_polygon(d, coords, 0);
    if (strcmp(type, "MultiPolygon") != 0 || json_array_size(coords) == 0)
        return -1;
    size_t i;
    json_t *p;
    json_array_foreach(coords, i, p)
    {
        if (add_polygon(d, p, (int)i) == -1)
            return -1;
    }
    return 0;
}

struct geo *geo_load(const char *path, struct buf *errors)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    json_t *features = json_object_get(root, "features");
    struct geo *g = NULL;
    if (root == NULL) {
        buf_printf(errors, "%s: %s\n", path, jerr.text);
        return NULL;
    }
    if (!json_is_array(features) || json_array_size(features) == 0) {
        buf_printf(errors, "%s: not a GeoJSON FeatureCollection with features\n", path);
        goto out;
    }
    g = xcalloc(1, sizeof *g);
    g->d = xcalloc(json_array_size(features), sizeof *g->d);
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        g->n++;
        if (add_feature(&g->d[i], f) == -1) {
            buf_printf(errors, "%s: feature %zu: want a named Polygon or MultiPolygon\n", path, i);
            geo_free(g);
            g = NULL;
            goto out;
        }
    }
out:
    json_decref(root);
    return g;
}

/* Even-odd crossing test of (x, y) against one ring. */
static bool crosses(const struct ring *r, double x, double y)
{
    bool in = false;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        double xi = r->xy[2 * i], yi = r->xy[2 * i + 1], xj = r->xy[2 * j], yj = r->xy[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

static bool contains(const struct district *d, double x, double y)
{
    if (x < d->minx || x > d->maxx || y < d->miny || y > d->maxy)
        return false;
    /* inside a polygon: inside an odd number of its rings (outer minus holes) */
    for (size_t i = 0; i < d->nrings;) {
        bool in = false;
        size_t k = i;
        for (; k < d->nrings && d->poly[k] == d->poly[i]; k++)
            in ^= crosses(&d->rings[k], x, y);
        if (in)
            return true;
        i = k;
    }
    return false;
}

const char *geo_district(const struct geo *g, double lat, double lon)
{
    for (size_t i = 0; g != NULL && i < g->n; i++)
        if (contains(&g->d[i], lon, lat))
            return g->d[i].name;
    return NULL;
}

size_t geo_count(const struct geo *g)
{
    return g ? g->n : 0;
}

const char *geo_name(const struct geo *g, size_t i)
{
    return g != NULL && i < g->n ? g->d[i].name : NULL;
}
