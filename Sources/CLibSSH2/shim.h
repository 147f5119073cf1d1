#ifndef INFRASPEC_CLIBSSH2_SHIM_H
#define INFRASPEC_CLIBSSH2_SHIM_H

#include <libssh2.h>

/* Swift cannot call libssh2's function-like macros; these re-export the ones InfraSpec uses. */

static inline LIBSSH2_SESSION *infraspec_libssh2_session_init(void) {
  return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int infraspec_libssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
  return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

static inline LIBSSH2_CHANNEL *infraspec_libssh2_channel_open_session(LIBSSH2_SESSION *session) {
  return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                 LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int infraspec_libssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
  return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command,
                                         (unsigned int)strlen(command));
}

static inline ssize_t infraspec_libssh2_channel_read(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
  return libssh2_channel_read_ex(channel, 0, buffer, length);
}

static inline ssize_t infraspec_libssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
  return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, length);
}

static inline ssize_t infraspec_libssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
  return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline int infraspec_libssh2_userauth_password(LIBSSH2_SESSION *session, const char *user,
                                                      const char *password) {
  return libssh2_userauth_password_ex(session, user, (unsigned int)strlen(user), password,
                                      (unsigned int)strlen(password), NULL);
}

static inline int infraspec_libssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *user,
                                                                const char *publicKey, const char *privateKey,
                                                                const char *passphrase) {
  return libssh2_userauth_publickey_fromfile_ex(session, user, (unsigned int)strlen(user), publicKey,
                                                privateKey, passphrase);
}

static inline char *infraspec_libssh2_userauth_list(LIBSSH2_SESSION *session, const char *user) {
  return libssh2_userauth_list(session, user, (unsigned int)strlen(user));
}

static inline LIBSSH2_CHANNEL *infraspec_libssh2_channel_direct_tcpip(LIBSSH2_SESSION *session, const char *host,
                                                                      int port) {
  return libssh2_channel_direct_tcpip_ex(session, host, port, "127.0.0.1", 22);
}

#endif
