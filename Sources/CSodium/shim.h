// libsodium (Debian package libsodium-dev): Warden's Ed25519 signature verification. Signing stays with
// swift-crypto, so what the log writes is checked by a second, independent implementation.
#ifndef WARDEN_CSODIUM_SHIM_H
#define WARDEN_CSODIUM_SHIM_H

#include <sodium.h>

#endif
