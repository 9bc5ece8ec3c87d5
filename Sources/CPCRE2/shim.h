// The 8-bit PCRE2 library (Debian package libpcre2-dev), for the hunter engine's regular expressions.
// Swift cannot import PCRE2's function-like macros, so the engine calls the `_8` symbols directly;
// this header only fixes the code-unit width and re-exports the constants Swift cannot see.
#ifndef WARDEN_CPCRE2_SHIM_H
#define WARDEN_CPCRE2_SHIM_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/// PCRE2_UNSET as a value Swift can read (the macro is a cast expression).
static inline PCRE2_SIZE cpcre2_unset(void) { return PCRE2_UNSET; }

#endif
