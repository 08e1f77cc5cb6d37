# Builds one Cascade service from this repository: docker build --build-arg SERVICE=build-service .
# SERVICE picks the final stage's base: build-service's carries git and buildah, the others only the JRE.
ARG SERVICE

FROM maven:3.9-eclipse-temurin-17 AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -pl ${SERVICE} -am package

FROM eclipse-temurin:17-jre-noble AS runtime-trigger-service

FROM eclipse-temurin:17-jre-noble AS runtime-deploy-service

# build-service runs builds with buildah, daemonless and as root in its container: vfs storage (no fuse-overlayfs, no
# /dev/fuse) and chroot isolation for RUN steps (no OCI runtime, no user namespace). git fetches the sources.
FROM eclipse-temurin:17-jre-noble AS runtime-build-service
RUN apt-get update \
    && apt-get install -y --no-install-recommends buildah git ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# buildah run by hand in the container (docker compose exec build-service buildah images) sees the service's storage
RUN mkdir -p /etc/containers && printf '%s\n' \
    '[storage]' \
    'driver = "vfs"' \
    'graphroot = "/var/lib/cascade/buildah/storage"' \
    'runroot = "/var/lib/cascade/buildah/run"' \
    > /etc/containers/storage.conf
ENV BUILDAH_ISOLATION=chroot \
    CASCADE_BUILD_WORK_DIR=/var/lib/cascade/builds \
    CASCADE_BUILD_STORAGE_ROOT=/var/lib/cascade/buildah \
    CASCADE_BUILD_LOG_DIR=/var/lib/cascade/build-logs
VOLUME /var/lib/cascade

FROM runtime-${SERVICE}
ARG SERVICE
WORKDIR /app
COPY --from=build /src/${SERVICE}/target/quarkus-app/ /app/
EXPOSE 8081 8082 8083
# The JVM options are deploy/jvm.options, copied beside quarkus-run.jar when the service is packaged (README "JVM
# options"); its app-cds.jsa is made by the build stage's JDK, and a runtime JVM of another build ignores it
ENTRYPOINT ["java", "@jvm.options", "-jar", "quarkus-run.jar"]
