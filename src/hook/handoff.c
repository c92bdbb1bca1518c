#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "herald/handoff.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

void handoff_start(struct handoff *h, double seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &h->deadline);
	h->deadline.tv_sec += (time_t)seconds;
	h->deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (h->deadline.tv_nsec >= 1000000000L) {
		h->deadline.tv_sec++;
		h->deadline.tv_nsec -= 1000000000L;
	}
}

double handoff_left(const struct handoff *h)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(h->deadline.tv_sec - now.tv_sec) +
	       (double)(h->deadline.tv_nsec - now.tv_nsec) / 1e9;
}

int handoff_lock(const struct handoff *h, struct outbox *ob, bool *locked)
{
	int rc;

	while (!(rc = outbox_trylock(ob, locked)) && !*locked) {
		double left = handoff_left(h);
		if (left <= 0)
			return 0;
		usleep(left < 0.02 ? (useconds_t)(left * 1e6) + 1 : 20 * 1000);
	}
	return rc;
}

/*
 * What the thread and the waiting hook share. On the heap, and left there
 * when the deadline comes first: the thread still uses it then.
 */
struct runner {
	void (*fn)(void *);
	void *arg;
	int done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *run_thread(void *p)
{
	struct runner *r = p;

	r->fn(r->arg);
	pthread_mutex_lock(&r->mu);
	r->done = 1;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

bool handoff_run(const struct handoff *h, void (*fn)(void *), void *arg)
{
	struct runner *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;
	pthread_t th;
	int rc = 0;

	r->fn = fn;
	r->arg = arg;
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&th, NULL, run_thread, r)) {
		/* no thread: run here, without the deadline */
		fn(arg);
	} else {
		pthread_mutex_lock(&r->mu);
		while (!r->done && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&r->cv, &r->mu, &h->deadline);
		pthread_mutex_unlock(&r->mu);
		if (!r->done)
			return false; /* the thread is still running; the caller leaves */
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return true;
}

void handoff_deliver_in_background(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;

	if (n <= 0) {
		error("cannot find herald's own binary to deliver in the background");
		return;
	}
	self[n] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("cannot fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(self, "herald", "deliver", "--max-time", "600", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}
