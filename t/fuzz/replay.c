/*
 * Replays a fuzz target's saved corpus without libFuzzer: every file named
 * on the command line (folders are read one level deep) is fed to
 * LLVMFuzzerTestOneInput once.  Sanitizers turn a bad input into a failure.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

static int replay_file(const char *path)
{
	struct buf data = BUF_INIT, err = BUF_INIT;
	int rc = buf_read_file(&data, path, 64 << 20, &err);

	if (rc < 0)
		fprintf(stderr, "%s\n", buf_cstr(&err));
	else
		LLVMFuzzerTestOneInput((const uint8_t *)buf_cstr(&data), data.len);
	buf_release(&data);
	buf_release(&err);
	return rc;
}

int main(int argc, char **argv)
{
	int files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) < 0)
				return 1;
			files++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		struct dirent *entry;
		if (!dir) {
			perror(argv[i]);
			return 1;
		}
		while ((entry = readdir(dir))) {
			if (entry->d_name[0] == '.')
				continue;
			char *path = xasprintf("%s/%s", argv[i], entry->d_name);
			int rc = replay_file(path);
			free(path);
			if (rc < 0) {
				closedir(dir);
				return 1;
			}
			files++;
		}
		closedir(dir);
	}
	printf("replayed %d inputs\n", files);
	return files > 0 ? 0 : 1;
}
