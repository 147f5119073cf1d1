#ifndef INFRASPEC_COPENSSL_SHIM_H
#define INFRASPEC_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Swift cannot call OpenSSL's function-like macros; these re-export the ones InfraSpec uses. */

static inline int infraspec_ssl_ctx_set_versions(SSL_CTX *context, int minimum, int maximum) {
  return SSL_CTX_set_min_proto_version(context, minimum) && SSL_CTX_set_max_proto_version(context, maximum);
}

static inline int infraspec_ssl_set_host_name(SSL *ssl, const char *name) {
  return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int infraspec_ssl_request_ocsp(SSL *ssl) {
  return (int)SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
}

static inline long infraspec_ssl_ocsp_response(SSL *ssl, const unsigned char **response) {
  return SSL_get_tlsext_status_ocsp_resp(ssl, response);
}

static inline int infraspec_x509_stack_count(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }

static inline X509 *infraspec_x509_stack_get(const STACK_OF(X509) *stack, int index) {
  return sk_X509_value(stack, index);
}

static inline STACK_OF(X509) *infraspec_x509_stack_new(void) { return sk_X509_new_null(); }

static inline int infraspec_x509_stack_push(STACK_OF(X509) *stack, X509 *certificate) {
  return sk_X509_push(stack, certificate);
}

static inline void infraspec_x509_stack_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }

static inline GENERAL_NAMES *infraspec_x509_subject_alt_names(X509 *certificate) {
  return (GENERAL_NAMES *)X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
}

static inline int infraspec_general_names_count(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }

static inline const GENERAL_NAME *infraspec_general_names_get(const GENERAL_NAMES *names, int index) {
  return sk_GENERAL_NAME_value(names, index);
}

/* The DNS name or IP address bytes of a subjectAltName entry; its type is GEN_DNS or GEN_IPADD. */
static inline const ASN1_STRING *infraspec_general_name_value(const GENERAL_NAME *name, int *type) {
  *type = name->type;
  if (name->type == GEN_DNS) return name->d.dNSName;
  if (name->type == GEN_IPADD) return name->d.iPAddress;
  return NULL;
}

static inline long infraspec_bio_pending(BIO *bio) { return (long)BIO_ctrl_pending(bio); }

/* 0: a read past the bytes written so far is the peer's end of stream, not "try again". */
static inline void infraspec_bio_set_eof(BIO *bio) { BIO_set_mem_eof_return(bio, 0); }

static inline void infraspec_openssl_free(void *pointer) { OPENSSL_free(pointer); }

/* One-line RFC 2253 text of a name, written to `bio`. */
static inline int infraspec_x509_name_print(BIO *bio, const X509_NAME *name) {
  return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
}

static inline long infraspec_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

#endif
