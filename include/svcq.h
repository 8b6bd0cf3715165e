/**
 * @file svcq.h
 * @brief Umbrella header: includes every public header of libsvcq.
 */
#ifndef SVCQ_H
#define SVCQ_H

#include "svcq/common.h"
#include "svcq/version.h"
#include "svcq/context.h"
#include "svcq/writer.h"
#include "svcq/store.h"
#include "svcq/calendar.h"
#include "svcq/sla.h"
#include "svcq/tier.h"
#include "svcq/analysis.h"
#include "svcq/incident.h"
#include "svcq/scorecard.h"
#include "svcq/metrics.h"
#include "svcq/blueprint.h"

#endif
