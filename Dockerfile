# Builds one Cascade service from this repository: docker build --build-arg SERVICE=build-service .
FROM maven:3.9-eclipse-temurin-17 AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -pl ${SERVICE} -am package

FROM eclipse-temurin:17-jre
ARG SERVICE
WORKDIR /app
COPY --from=build /src/${SERVICE}/target/quarkus-app/ /app/
EXPOSE 8081 8082 8083
ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]
