/* Temporary directories and whole-file helpers for tests that touch files. */
#ifndef TEST_FS_H
#define TEST_FS_H

#include <stddef.h>

/* Makes a fresh directory under $TMPDIR (or /tmp); returns its malloc'd
 * path, or NULL. */
char *test_tmpdir(const char *tag);
/* The same in memory (/dev/shm) when that exists, for tests that open
 * thousands of files and want the logic tested, not the disk's syncs. */
char *test_tmpdir_mem(const char *tag);
/* Removes a directory and everything in it (one level of subdirectories
 * and more: recursive). */
void test_rmtree(const char *path);
/* malloc'd "dir/name". */
char *test_path(const char *dir, const char *name);
/* Reads a whole file into malloc'd memory; NULL on failure. */
unsigned char *test_read_file(const char *path, size_t *size);
/* Writes (replaces) a whole file; 0 on success. */
int test_write_file(const char *path, const void *data, size_t size);

#endif
