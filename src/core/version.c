#include "svcq/version.h"

uint32_t svcq_version_number(void)
{
    return SVCQ_VERSION_NUMBER;
}

const char *svcq_version_string(void)
{
    return SVCQ_VERSION_STRING;
}
