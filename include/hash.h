#ifndef NEWSDIGEST_HASH_H
#define NEWSDIGEST_HASH_H
/*
 * Hashes of short strings for open-addressing tables. Low-level: knows
 * nothing of words, feeds or items.
 */
#include <stddef.h>
#include <stdint.h>

/* FNV-1a of s[0..n) from a basis mixed with seed (0 for none), then
 * murmur3's finaliser, so that the low bits a table uses as the slot
 * index depend on every byte. A random seed keeps crafted input from
 * making every key collide. */
uint32_t hash_bytes(uint32_t seed, const void *s, size_t n);

/* 64-bit FNV-1a of the string s, for comparing sets of words by hash. */
uint64_t hash64_str(const char *s);

#endif
