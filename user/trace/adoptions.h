/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The join of reparent records with the adoption that follows them: the BPF
 * side takes each orphan when its parent starts to exit, and learns the new
 * parent only when that exit is over.
 */
#ifndef REAPERTRACE_ADOPTIONS_H
#define REAPERTRACE_ADOPTIONS_H

#include <stddef.h>
#include "trace/report.h"

struct adoptions;

typedef void (*adoption_report_fn)(const struct rt_reparent_report *r, void *ctx);

struct adoptions *adoptions__new(void);
void adoptions__free(struct adoptions *a);

/*
 * Hold @e until its old parent's adoption record. If another exit of the
 * same process holds its orphan, that exit's orphans were handed to @e's
 * old parent thread: they are reported now (kind thread), and forgotten.
 * 0 or -ENOMEM.
 */
int adoptions__add(struct adoptions *a, const struct rt_reparent_event *e, adoption_report_fn fn,
		   void *ctx);

/*
 * Report, in order, each orphan of the exit @e is about, and forget them
 * (without a report if @e says they were not reparented after all).
 */
void adoptions__resolve(struct adoptions *a, const struct rt_adopted_event *e,
			adoption_report_fn fn, void *ctx);

/* Report every orphan still held as unresolved (its adoption record was lost). */
void adoptions__flush(struct adoptions *a, adoption_report_fn fn, void *ctx);

size_t adoptions__held(const struct adoptions *a);

#endif /* REAPERTRACE_ADOPTIONS_H */
