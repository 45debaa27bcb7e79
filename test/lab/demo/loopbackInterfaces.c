/*
 * Preloaded (LD_PRELOAD) into the demo's processes by scripts/start.sh: getifaddrs() lists only the
 * interfaces' 127.x.y.z addresses (not, say, another address given to `lo`). libwebrtc (the bots' @roamhq/wrtc, and Electron's Chromium in the window
 * demo) opens UDP sockets and TCP listeners on every address getifaddrs() reports, whatever the SDP
 * keeps; outside the tests' loopback-only namespace that would put the demo's ports on the
 * machine's network. With this, everything the demo binds is on 127.0.0.1.
 *
 * The list is a copy in memory of our own (one block per entry), so freeifaddrs() is ours too.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct entry {
  struct ifaddrs ifa; /* first: a pointer to the entry is a pointer to its ifaddrs */
  struct sockaddr_in addr;
  struct sockaddr_in netmask;
  char name[IF_NAMESIZE + 1];
};

void freeifaddrs(struct ifaddrs *list) {
  while (list != NULL) {
    struct ifaddrs *next = list->ifa_next;
    free(list);
    list = next;
  }
}

int getifaddrs(struct ifaddrs **out) {
  int (*real_get)(struct ifaddrs **) = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
  void (*real_free)(struct ifaddrs *) = (void (*)(struct ifaddrs *))dlsym(RTLD_NEXT, "freeifaddrs");
  if (real_get == NULL || real_free == NULL) {
    errno = ENOSYS;
    return -1;
  }
  struct ifaddrs *all;
  if (real_get(&all) != 0) return -1;
  struct ifaddrs *head = NULL;
  struct ifaddrs **tail = &head;
  for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
    if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET) continue;
    if ((ntohl(((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr) >> 24) != 127) continue;
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL) {
      freeifaddrs(head);
      real_free(all);
      errno = ENOMEM;
      return -1;
    }
    memcpy(&e->addr, i->ifa_addr, sizeof e->addr);
    if (i->ifa_netmask != NULL) memcpy(&e->netmask, i->ifa_netmask, sizeof e->netmask);
    strncpy(e->name, i->ifa_name != NULL ? i->ifa_name : "lo", IF_NAMESIZE);
    e->ifa.ifa_name = e->name;
    e->ifa.ifa_flags = i->ifa_flags;
    e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
    e->ifa.ifa_netmask = i->ifa_netmask != NULL ? (struct sockaddr *)&e->netmask : NULL;
    *tail = &e->ifa;
    tail = &e->ifa.ifa_next;
  }
  real_free(all);
  *out = head;
  return 0;
}
