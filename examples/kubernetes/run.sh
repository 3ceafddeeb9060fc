#!/bin/sh
# Runs the fleet census as four shards on Kubernetes, then merges them (kubectl and a cluster needed).
#   examples/kubernetes/run.sh SSH_KEY KNOWN_HOSTS
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kubectl create configmap planrun-census --from-file="$here/../fleet/plan.yaml" \
    --from-file="$here/../fleet/inventory.yaml" --dry-run=client -o yaml | kubectl apply -f -
kubectl create secret generic planrun-ssh --from-file=id_ed25519="$1" --from-file=known_hosts="$2" \
    --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$here/results-pvc.yaml"
kubectl delete job planrun-census-shards planrun-census-merge --ignore-not-found
kubectl apply -f "$here/shards-job.yaml"
kubectl wait --for=condition=complete --timeout=30m job/planrun-census-shards
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete --timeout=5m job/planrun-census-merge || true
kubectl logs job/planrun-census-merge
