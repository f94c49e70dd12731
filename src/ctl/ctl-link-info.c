/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A link as v6mostlyctl reads it from the bus: its properties, looked up by name or
 * ifindex, listed, and described as JSON. */
#include "ctl-link-info.h"

#include <stdlib.h>
#include <string.h>

#include "strv.h"

void link_info_init(LinkInfo *info) {
        *info = (LinkInfo) {
                .dhcp4_lease_remaining = UINT64_MAX,
                .v6only_wait_remaining = UINT64_MAX,
                .nat64_prefix_lifetime_remaining = UINT64_MAX,
        };
}

void link_info_done(LinkInfo *info) {
        free(info->path);
        free(info->name);
        free(info->state);
        free(info->reason);
        free(info->network_file);
        free(info->dhcp4_state);
        free(info->dhcp4_address);
        free(info->dhcp4_server);
        free(info->nat64_prefix);
        strv_free(info->dns_servers);
        strv_free(info->search_domains);
        free(info->nat64_prefix_source);
        free(info->nat64_prefix_origin);
        for (size_t i = 0; i < info->nat64_candidates.n; i++) {
                free(info->nat64_candidates.items[i].prefix);
                free(info->nat64_candidates.items[i].source);
        }
        free(info->nat64_candidates.items);
        free(info->clat_state);
        free(info->clat_backend);
        free(info->clat_ipv4_address);
        free(info->clat_ipv6_address);
        free(info->clat_reason);
        for (size_t i = 0; i < info->clat_counters.n_drops; i++)
                free(info->clat_counters.drops[i].reason);
        free(info->clat_counters.drops);
        link_info_init(info);
}

void link_list_done(LinkList *l) {
        for (size_t i = 0; i < l->n; i++)
                link_info_done(&l->links[i]);
        free(l->links);
        *l = (LinkList) {};
}

typedef int (*property_map_func_t)(sd_bus_message *m, void *field);

typedef struct PropertyMap {
        const char *name;
        const char *signature;
        property_map_func_t map;
        size_t offset;
} PropertyMap;

static int map_string(sd_bus_message *m, void *field) {
        const char *s;
        int r;

        r = sd_bus_message_read_basic(m, 's', &s);
        if (r < 0)
                return r;
        return free_and_strdup(field, s);
}

static int map_int32(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 'i', field);
}

static int map_uint32(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 'u', field);
}

static int map_uint64(sd_bus_message *m, void *field) {
        return sd_bus_message_read_basic(m, 't', field);
}

static int map_strv(sd_bus_message *m, void *field) {
        char ***l = field;
        char **v = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &v);
        if (r < 0)
                return r;
        strv_free(*l);
        *l = v;
        return 0;
}

static int map_nat64_candidates(sd_bus_message *m, void *field) {
        Nat64CandidateList *list = field;
        const char *prefix, *source;
        uint64_t lifetime;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(sst)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(sst)", &prefix, &source, &lifetime)) > 0) {
                Nat64Candidate *items, *c;

                items = reallocarray(list->items, list->n + 1, sizeof(Nat64Candidate));
                if (!items)
                        return -ENOMEM;
                list->items = items;
                c = &list->items[list->n];
                *c = (Nat64Candidate) { .lifetime_remaining = lifetime };
                c->prefix = strdup(prefix);
                c->source = strdup(source);
                list->n++;
                if (!c->prefix || !c->source)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int map_clat_counters(sd_bus_message *m, void *field) {
        ClatCounters *counters = field;
        const char *reason;
        uint64_t packets;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "tta{st}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "tt", &counters->packets_4to6, &counters->packets_6to4);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{st}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{st}", &reason, &packets)) > 0) {
                DropCounter *drops;

                drops = reallocarray(counters->drops, counters->n_drops + 1, sizeof(DropCounter));
                if (!drops)
                        return -ENOMEM;
                counters->drops = drops;
                drops[counters->n_drops] = (DropCounter) { .reason = strdup(reason), .packets = packets };
                if (!drops[counters->n_drops++].reason)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        counters->valid = true;
        return 0;
}

/* The reader of a property follows from the type of its LinkInfo member. */
#define PROPERTY_MAP_FUNC(member)                             \
        _Generic((member),                                    \
                int: map_int32,                               \
                uint32_t: map_uint32,                         \
                uint64_t: map_uint64,                         \
                char *: map_string,                           \
                char **: map_strv,                            \
                Nat64CandidateList: map_nat64_candidates,     \
                ClatCounters: map_clat_counters)
#define PROPERTY_MAP_ENTRY(field, name, signature, kind) \
        { name, signature, PROPERTY_MAP_FUNC(((LinkInfo *) NULL)->field), offsetof(LinkInfo, field) },

/* Every property of V6M_LINK_PROPERTIES (bus-api.h), each into the LinkInfo member of the
 * same name. */
static const PropertyMap link_property_map[] = {
        V6M_LINK_PROPERTIES(PROPERTY_MAP_ENTRY)
        {}
};

static const PropertyMap *property_map_find(const PropertyMap *map, const char *name) {
        for (const PropertyMap *p = map; p->name; p++)
                if (streq(p->name, name))
                        return p;
        return NULL;
}

typedef struct PropertyMapContext {
        const PropertyMap *map;
        void *userdata;
} PropertyMapContext;

/* Unknown properties, and known ones with an unexpected type, are skipped: a newer daemon
 * may add or change things. */
static int map_property(sd_bus_message *m, const char *member, const char *contents, void *userdata) {
        PropertyMapContext *c = userdata;
        const PropertyMap *p = property_map_find(c->map, member);
        int r;

        if (!p || !streq(contents, p->signature))
                return sd_bus_message_skip(m, "v");
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        r = p->map(m, (uint8_t *) c->userdata + p->offset);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* Read an a{sv} into the fields named by `map`. */
static int bus_map_properties(sd_bus_message *m, const PropertyMap *map, void *userdata) {
        return bus_message_foreach_property(m, map_property, &(PropertyMapContext) { map, userdata });
}

/* Fill `info` from the link object at info->path. On a bus error, `error` is set and the
 * caller decides how to report it. */
int link_info_load(sd_bus *bus, LinkInfo *info, bool want_counters, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, info->path, PROPERTIES_INTERFACE, "GetAll", error, &reply, "s",
                               BUS_LINK_INTERFACE);
        if (r < 0)
                return r;

        r = bus_map_properties(reply, link_property_map, info);
        if (r < 0)
                return bus_log_parse_error(r);

        if (want_counters && !info->clat_counters.valid) {
                _cleanup_(sd_bus_error_free) sd_bus_error counters_error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *counters = NULL;

                /* A daemon may leave computed properties out of GetAll(); ask directly, and
                 * show "n/a" if that fails too. */
                r = sd_bus_get_property(bus, BUS_NAME, info->path, BUS_LINK_INTERFACE, "CLATCounters",
                                        &counters_error, &counters, "(tta{st})");
                if (r >= 0) {
                        r = map_clat_counters(counters, &info->clat_counters);
                        if (r < 0)
                                return bus_log_parse_error(r);
                }
        }
        return 0;
}

/* Ask the daemon for the object path of a link given by name or ifindex. Errors are left in
 * `error` for the caller. */
int link_lookup(sd_bus *bus, const char *link, sd_bus_error *error, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int ifindex, r;

        if (parse_ifindex(link, &ifindex) >= 0)
                r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetLink", error, &reply,
                                       "i", ifindex);
        else
                r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetLinkByName", error,
                                       &reply, "s", link);
        if (r < 0)
                return r;

        r = sd_bus_message_read_basic(reply, 'o', &path);
        if (r < 0)
                return bus_log_parse_error(r);

        *ret_path = strdup(path);
        return *ret_path ? 0 : log_oom();
}

int link_get_path(sd_bus *bus, const char *link, char **ret_path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = link_lookup(bus, link, &error, ret_path);
        if (r < 0 && sd_bus_error_is_set(&error))
                return log_bus_error(&error, r, "Failed to get link %s", link);
        return r;
}

static int link_list_cmp(const void *a, const void *b) {
        const LinkInfo *x = a, *y = b;

        return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* Every link the daemon knows, sorted by ifindex; only ifindex, name and path are filled. */
int link_list_acquire(sd_bus *bus, LinkList *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(link_list_done) LinkList list = {};
        const char *name, *path;
        int ifindex, r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ListLinks", &error, &reply,
                               NULL);
        if (r < 0)
                return log_bus_error(&error, r, "Failed to list links");

        r = sd_bus_message_enter_container(reply, 'a', "(iso)");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_read(reply, "(iso)", &ifindex, &name, &path)) > 0) {
                LinkInfo *links, *info;

                links = reallocarray(list.links, list.n + 1, sizeof(LinkInfo));
                if (!links)
                        return log_oom();
                list.links = links;
                info = &list.links[list.n++];
                link_info_init(info);
                info->ifindex = ifindex;
                info->name = strdup(name);
                info->path = strdup(path);
                if (!info->name || !info->path)
                        return log_oom();
        }
        if (r < 0)
                return bus_log_parse_error(r);
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return bus_log_parse_error(r);

        if (list.n > 1)
                qsort(list.links, list.n, sizeof(LinkInfo), link_list_cmp);

        *ret = list;
        list = (LinkList) {};
        return 0;
}

/* Load the properties of every link of `list`. Links that vanished since ListLinks() are
 * dropped. */
int link_list_load(sd_bus *bus, LinkList *list, bool want_counters) {
        size_t k = 0;
        int r;

        for (size_t i = 0; i < list->n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                LinkInfo *info = &list->links[i];

                r = link_info_load(bus, info, want_counters, &error);
                if (r < 0 && bus_error_is_no_such_object(&error)) {
                        link_info_done(info);
                        continue;
                }
                if (r < 0 && sd_bus_error_is_set(&error))
                        return log_bus_error(&error, r, "Failed to get properties of link %s", info->name);
                if (r < 0)
                        return r;
                list->links[k++] = *info;
        }
        list->n = k;
        return 0;
}

/* Call a Describe() method and return its JSON text. */
int call_describe(sd_bus *bus, const char *path, const char *interface, const char *link, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *json;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, interface, "Describe", &error, &reply, NULL);
        if (r < 0) {
                if (link)
                        return log_bus_error(&error, r, "Failed to describe link %s", link);
                return log_bus_error(&error, r, "Failed to describe links");
        }

        r = sd_bus_message_read_basic(reply, 's', &json);
        if (r < 0)
                return bus_log_parse_error(r);

        *ret = strdup(json);
        return *ret ? 0 : log_oom();
}

int print_describe(sd_bus *bus, const char *path, const char *interface, const char *link) {
        _cleanup_(freep) char *json = NULL;
        int r;

        r = call_describe(bus, path, interface, link, &json);
        if (r < 0)
                return r;
        json_print(json);
        return 0;
}

/* Print a JSON array of the Link.Describe() objects of `paths` (`names` for messages). */
int print_json_links(sd_bus *bus, char *const *paths, char *const *names) {
        _cleanup_(freep) char *array = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = open_memstream(&array, &size);
        if (!f)
                return log_oom();

        fputc('[', f);
        for (size_t i = 0; paths && paths[i]; i++) {
                _cleanup_(freep) char *json = NULL;

                r = call_describe(bus, paths[i], BUS_LINK_INTERFACE, names ? names[i] : paths[i], &json);
                if (r < 0)
                        break;
                if (i > 0)
                        fputc(',', f);
                fputs(json, f);
        }
        fputc(']', f);
        if (fclose(f) != 0 && r >= 0)
                r = log_oom();
        if (r < 0)
                return r;

        json_print(array);
        return 0;
}
