/** The texts after `s3gate --help` (every command at a glance, examples, environment, exit codes) and after `object sync --help`. */
export const ROOT_EPILOG = `
Commands in full:
  s3gate serve [flags]                       run the service (s3gate serve --help lists its flags)
  s3gate bucket ls [--json]                  list buckets
  s3gate bucket create <name>                create a bucket
  s3gate bucket rm <name> [--force]          delete a bucket (--force: and every object in it)
  s3gate object ls <bucket[/prefix]> [-r] [--json]
                                             list objects; folders (PRE) unless -r; all pages
  s3gate object put <file|folder|-> <bucket[/key]> [-r] [--content-type T] [--meta k=v]...
                                             upload (streamed; -r: a folder tree under the prefix;
                                             -: stdin to bucket/key)
  s3gate object get <bucket/key> [dest|-] [-r]
                                             download (-: to stdout; -r: a prefix into a folder)
  s3gate object sync <src> <dest> [--delete] [--exclude GLOB]... [--dry-run]
                                             copy only what differs, folder -> bucket[/prefix] or
                                             back (s3gate object sync --help)
  s3gate object rm <bucket/key> [-r]         delete an object (-r: every key under the prefix)
  s3gate object cp <bucket/key> <bucket[/key]>
                                             copy on the service
  s3gate object mv <bucket/key> <bucket[/key]>
                                             move on the service

Paths: a remote path is bucket/key, the key being everything after the first /. A destination key that
ends in / (or no key at all) is a folder: the source's name is added to it.

Examples:
  s3gate bucket create photos
  s3gate object put cat.png photos/2024/          # → photos/2024/cat.png (Content-Type image/png)
  s3gate object put -r ./album photos/album       # every file below ./album → photos/album/...
  s3gate object ls photos/2024/                   # one level, folders shown as PRE
  s3gate object ls -r --json photos | jq -r .key  # every key, machine-readable
  s3gate object get photos/2024/cat.png ./cat.png
  s3gate object get -r photos/album ./album-copy
  s3gate object sync ./album photos/album --delete   # again after a change or an interruption
  s3gate object get photos/notes.txt - | wc -l
  tar c ./album | s3gate object put - photos/album.tar
  s3gate object mv photos/2024/cat.png photos/archive/
  s3gate object rm -r photos/album
  S3GATE_ENDPOINT=http://10.0.0.5:9090 s3gate bucket ls

Busy service: a 429 (rate limit) is waited out however long it asks (Retry-After), saying so on stderr;
a 503 is retried 4 times, waiting at most 30 s. Uploads from stdin are never sent twice.

Environment:
  S3GATE_ENDPOINT   the service's URL (--endpoint; default http://127.0.0.1:9090)
  S3GATE_TOKEN      sent as "Authorization: Bearer <token>" (--token)
  The service's own S3GATE_* settings are listed by: s3gate serve --help

Output: results on stdout, one a line (--json: one JSON object a line); errors on stderr as
"s3gate: <code>: <message>". Progress bars go to stderr, only when it is a terminal and without --quiet.

Exit codes:
  0  success
  1  the service answered an error (NoSuchBucket, NoSuchKey, BucketNotEmpty, ...) or another failure
  2  usage error: unknown command or option, bad path, missing local file
  3  cannot reach the service (connection refused, DNS, timeout)
`;

export const SYNC_HELP = `
Which side is local: the one written as a local path (/..., ./..., ../..., .), else the one that is an
existing folder; the other is bucket[/prefix] (the prefix taken as a folder: photos means photos/).

What differs: a path missing on the destination, or there with another size or another MD5. A remote
ETag that is an MD5 (any single-part upload) is compared with the local file's MD5, computed only when
the sizes match; an ETag that is not one (a multipart upload on the s3 store, "...-N") cannot be, so
such objects are compared by size only (the summary says how many). Keys ending in / (folder markers)
are left alone. Downloads refuse keys that cannot be a file below the folder (../x, empty segments).

--exclude GLOB (picomatch: * ? ** [abc] {a,b}), matched against the path below the folder or prefix,
/-separated, dot files included; a path is left out when it or a folder above it matches:
  --exclude '*.tmp'            a name at any depth (no / in the pattern)
  --exclude node_modules       every node_modules folder and all below it
  --exclude 'cache/**'         a pattern with / matches from the top (/build: only the top build)
Excluded paths are neither copied nor deleted, on either side. Quote patterns from the shell.

Output: one line per action ("upload a/b.txt -> photos/x/a/b.txt", "download ...", "delete ..."), then
"synced: 3 uploaded, 120 unchanged, 1 deleted". Deletions happen only after every copy succeeded.
Interrupted? Run the same command again: what already arrived is skipped. Downloads go through a
temporary file renamed into place, so no half-written file is ever left under its real name.

Examples:
  s3gate object sync ./album photos/album                  # upload what is new or changed
  s3gate object sync photos/album ./album --delete         # download, and remove local extras
  s3gate object sync --dry-run --exclude '*.tmp' . backup/home
`;
