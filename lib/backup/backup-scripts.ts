/**
 * The shell scripts of the backup pod. They are fixed texts (POSIX sh) that read their parameters from
 * the environment, so the same script is tested offline (test/backup-scripts.test.ts) and deployed.
 *
 * One run is one backup id (UTC time, `20261201T013000Z`): the MongoDB dump and the file server's data
 * under `<id>/`, the Elasticsearch snapshot `clearml-<id in lowercase>`, and `<id>/backup.env` with the
 * versions that wrote them, written last: a backup without it is incomplete and never restored.
 */

/** ClearML's Elasticsearch indices (facts sheet §2): what is snapshotted and restored. */
export const CLEARML_INDICES = 'events-*,worker_stats_*,queue_metrics_*,serving_stats_*';

/** The AWS CLI's configuration: path-style addressing for most S3-compatible stores. */
export const S3_CLIENT_CONFIG = [
  'mkdir -p "$HOME/.aws"',
  'if [ "$S3_PATH_STYLE" = true ]; then printf "[default]\\ns3 =\\n    addressing_style = path\\n" > "$HOME/.aws/config"; fi',
].join('\n');

/** Name of the snapshot repository the library registers. */
export const SNAPSHOT_REPOSITORY = 'clearml';

/** Backup ids: UTC timestamps, sortable as text. */
export const BACKUP_ID_PATTERN = '^[0-9]{8}T[0-9]{6}Z$';

/** Prints the lines of stdin beyond the newest `$1` (ids sort by time). */
const OLDER_THAN_KEPT = 'older_than_kept() { sort -r | tail -n +"$(( $1 + 1 ))"; }';

/** First step: the id of this run, then the MongoDB dump (`--oplog` on a replica set: a point-in-time dump). */
export const MONGO_DUMP_SCRIPT = [
  'set -eu',
  'id=$(date -u +%Y%m%dT%H%M%SZ)',
  'echo "$id" > $WORK/id',
  'out="$DUMP_DIR/$id.partial"',
  'mkdir -p "$out"',
  'oplog=""',
  'if [ -n "$(mongosh --quiet --norc "$MONGO_URI" --eval \'db.hello().setName || ""\')" ]; then oplog="--oplog"; fi',
  '# shellcheck disable=SC2086',
  'mongodump --uri="$MONGO_URI" --archive="$out/mongo.archive.gz" --gzip --quiet $oplog',
  'echo "$oplog" > "$WORK/oplog"',
  'echo "backup $id: MongoDB dumped${oplog:+ at one point in time (oplog)}"',
].join('\n');

/** The id of the run, when there is no MongoDB dump to start it. */
export const BACKUP_ID_SCRIPT = [
  'set -eu',
  'id=$(date -u +%Y%m%dT%H%M%SZ)',
  'echo "$id" > "$WORK/id"',
  'mkdir -p "$DUMP_DIR/$id.partial"',
].join('\n');

/** The file server's data as one tar archive (claim destination). */
export const FILES_ARCHIVE_SCRIPT = [
  'set -eu',
  'id=$(cat $WORK/id)',
  'tar -C "$FILES_DIR" -cf "$DUMP_DIR/$id.partial/fileserver.tar" .',
  'echo "backup $id: file server data archived"',
].join('\n');

/** Registers the repository (idempotent), takes the snapshot, then deletes `clearml-*` snapshots beyond the kept count. */
export const ELASTICSEARCH_SNAPSHOT_SCRIPT = [
  'set -eu',
  OLDER_THAN_KEPT,
  'id=$(cat $WORK/id)',
  'snapshot="clearml-$(echo "$id" | tr "A-Z" "a-z")"',
  'es() { curl -sSf --retry 5 --retry-connrefused -H "Content-Type: application/json" "$@"; }',
  'es -X PUT "$ES_URL/_snapshot/$ES_REPOSITORY" -d "$ES_REPOSITORY_SETTINGS" > /dev/null',
  `result=$(es -X PUT "$ES_URL/_snapshot/$ES_REPOSITORY/$snapshot?wait_for_completion=true" -d '{"indices":"${CLEARML_INDICES}","ignore_unavailable":true,"include_global_state":false}')`,
  'case "$result" in',
  '  *\'"state":"SUCCESS"\'*) ;;',
  '  *) echo "backup $id: Elasticsearch snapshot $snapshot did not succeed: $result" >&2; exit 1 ;;',
  'esac',
  'echo "$snapshot" > $WORK/snapshot',
  'echo "backup $id: Elasticsearch snapshot $snapshot taken"',
  'es "$ES_URL/_cat/snapshots/$ES_REPOSITORY?h=id" | grep -E \'^clearml-[0-9]{8}t[0-9]{6}z$\' | older_than_kept "$BACKUP_KEEP" | while read -r old; do',
  '  es -X DELETE "$ES_URL/_snapshot/$ES_REPOSITORY/$old" > /dev/null',
  '  echo "deleted Elasticsearch snapshot $old (keeping $BACKUP_KEEP)"',
  'done',
].join('\n');

/** The versions file, written last. */
const WRITE_BACKUP_ENV = [
  'snapshot=$(cat $WORK/snapshot 2>/dev/null || true)',
  '{',
  '  echo "BACKUP_ID=$id"',
  '  echo "CLEARML_VERSION=$CLEARML_VERSION"',
  '  echo "ELASTICSEARCH_VERSION=${ELASTICSEARCH_VERSION:-}"',
  '  echo "MONGO_VERSION=${MONGO_VERSION:-}"',
  '  echo "ELASTICSEARCH_SNAPSHOT=$snapshot"',
  '  echo "MONGO_OPLOG=$(cat "$WORK/oplog" 2>/dev/null || true)"',
  '} > $WORK/backup.env',
];

/** Claim destination: commits `<id>.partial` as `<id>`, removes failed runs and backups beyond the kept count. */
export const CLAIM_FINISH_SCRIPT = [
  'set -eu',
  OLDER_THAN_KEPT,
  'id=$(cat $WORK/id)',
  ...WRITE_BACKUP_ENV,
  'cp $WORK/backup.env "$DUMP_DIR/$id.partial/backup.env"',
  'mv "$DUMP_DIR/$id.partial" "$DUMP_DIR/$id"',
  'for failed in $(ls -1 "$DUMP_DIR" | grep -E \'^[0-9]{8}T[0-9]{6}Z\\.partial$\' || true); do',
  '  rm -rf "${DUMP_DIR:?}/$failed"',
  '  echo "removed incomplete backup $failed"',
  'done',
  `ls -1 "$DUMP_DIR" | grep -E '${BACKUP_ID_PATTERN}' | older_than_kept "$BACKUP_KEEP" | while read -r old; do`,
  '  rm -rf "${DUMP_DIR:?}/$old"',
  '  echo "deleted backup $old (keeping $BACKUP_KEEP)"',
  'done',
  'echo "backup $id complete:"',
  'cat $WORK/backup.env',
].join('\n');

/** S3 destination: uploads the dump and the file server's data, then `backup.env`; removes failed runs and backups beyond the kept count. */
export const S3_FINISH_SCRIPT = [
  'set -eu',
  OLDER_THAN_KEPT,
  'id=$(cat $WORK/id)',
  S3_CLIENT_CONFIG,
  'dest="$S3_URL/$id"',
  'if [ -f "$DUMP_DIR/$id.partial/mongo.archive.gz" ]; then aws s3 cp --only-show-errors "$DUMP_DIR/$id.partial/mongo.archive.gz" "$dest/mongo.archive.gz"; fi',
  'aws s3 sync --only-show-errors "$FILES_DIR" "$dest/fileserver/"',
  ...WRITE_BACKUP_ENV,
  'aws s3 cp --only-show-errors $WORK/backup.env "$dest/backup.env"',
  `aws s3 ls "$S3_URL/" | sed -n 's#^ *PRE \\(.*\\)/$#\\1#p' | grep -E '${BACKUP_ID_PATTERN}' > $WORK/ids || true`,
  ': > $WORK/complete',
  'while read -r other; do',
  '  if aws s3 ls "$S3_URL/$other/backup.env" > /dev/null 2>&1; then echo "$other" >> $WORK/complete',
  '  elif [ "$other" != "$id" ]; then aws s3 rm --only-show-errors --recursive "$S3_URL/$other/"; echo "removed incomplete backup $other"; fi',
  'done < $WORK/ids',
  'older_than_kept "$BACKUP_KEEP" < $WORK/complete | while read -r old; do',
  '  aws s3 rm --only-show-errors --recursive "$S3_URL/$old/"',
  '  echo "deleted backup $old (keeping $BACKUP_KEEP)"',
  'done',
  'echo "backup $id complete:"',
  'cat $WORK/backup.env',
].join('\n');

/** The Elasticsearch keystore with the S3 credentials, copied where the Elasticsearch container mounts it. */
export const KEYSTORE_SCRIPT = [
  'set -eu',
  // --force: never prompt (an image may ship a keystore already, and a prompt would hang without a terminal).
  'config=${ES_PATH_CONF:-/usr/share/elasticsearch/config}',
  '[ -f "$config/elasticsearch.keystore" ] || elasticsearch-keystore create',
  'printf "%s" "$S3_ACCESS_KEY" | elasticsearch-keystore add --force --stdin s3.client.default.access_key',
  'printf "%s" "$S3_SECRET_KEY" | elasticsearch-keystore add --force --stdin s3.client.default.secret_key',
  'cp "$config/elasticsearch.keystore" "${KEYSTORE_DIR:-/keystore}/elasticsearch.keystore"',
].join('\n');
