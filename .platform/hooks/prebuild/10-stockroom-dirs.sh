#!/usr/bin/env bash
# Elastic Beanstalk runs this on every instance before it starts the container (ship it in the
# source bundle next to Dockerrun.aws.json; see docs/deploy.md). The image runs as uid 65532
# (distroless "nonroot"), so the host folders it writes to must belong to that uid:
#   /var/app/stockroom-data                     -> /data            (SQLite, when DATABASE_URL is not PostgreSQL)
#   /var/log/eb-docker/containers/eb-current-app -> /var/log/server (the "Logging" folder)
# If a folder stays root-owned, the app still runs: it logs to stdout only (collected by
# Elastic Beanstalk as well) and says so in its first lines.
set -euo pipefail
install -d -o 65532 -g 65532 -m 0750 /var/app/stockroom-data
install -d -o 65532 -g 65532 -m 0755 /var/log/eb-docker/containers/eb-current-app
