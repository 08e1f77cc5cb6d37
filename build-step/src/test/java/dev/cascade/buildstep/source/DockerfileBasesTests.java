package dev.cascade.buildstep.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.common.image.RegistryAliases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileBasesTests {

    private static List<String> bases(String dockerfile, Map<String, String> args) {
        return DockerfileBases.parse(dockerfile, args, RegistryAliases.NONE).stream().map(b -> b.image().toString()).toList();
    }

    private static List<String> bases(String dockerfile) {
        return bases(dockerfile, Map.of());
    }

    @Test
    void singleFromIsNormalised() {
        assertThat(bases("FROM python:3.12\nRUN echo hi\n")).containsExactly("docker.io/library/python:3.12");
    }

    @Test
    void multiStageKeepsEveryImageButNotReferencesToEarlierStages() {
        String df = """
                FROM golang:1.22 AS build
                RUN go build -o /app
                FROM build AS test
                RUN go test
                FROM localhost:5000/base:1
                COPY --from=build /app /app
                """;
        assertThat(bases(df)).containsExactly("docker.io/library/golang:1.22", "localhost:5000/base:1");
    }

    @Test
    void stagesCanBeReferencedByIndex() {
        assertThat(bases("FROM alpine:3.20\nFROM alpine:3.20\nCOPY --from=0 /a /a\n")).containsExactly("docker.io/library/alpine:3.20");
    }

    @Test
    void copyFromAnImageIsABase() {
        assertThat(bases("FROM scratch\nCOPY --from=localhost:5000/tools:2 /bin/x /x\n")).containsExactly("localhost:5000/tools:2");
    }

    @Test
    void scratchIsNoBase() {
        assertThat(bases("FROM scratch\nCOPY a /a\n")).isEmpty();
    }

    @Test
    void platformFlagIsSkipped() {
        assertThat(bases("FROM --platform=$BUILDPLATFORM alpine:3.20 AS x\n")).containsExactly("docker.io/library/alpine:3.20");
    }

    @Test
    void argDefaultsAndBuildArgsAreSubstituted() {
        String df = """
                ARG REGISTRY=localhost:5000
                ARG TAG="1"
                ARG VARIANT
                FROM ${REGISTRY}/base:$TAG
                FROM ${REGISTRY}/mid:${VARIANT:-slim}
                """;
        assertThat(bases(df)).containsExactly("localhost:5000/base:1", "localhost:5000/mid:slim");
        assertThat(bases(df, Map.of("TAG", "2", "VARIANT", "full"))).containsExactly("localhost:5000/base:2", "localhost:5000/mid:full");
    }

    @Test
    void argsDeclaredAfterFromDoNotApplyToLaterFroms() {
        String df = "FROM alpine:3.20\nARG TAG=9\nFROM localhost:5000/x:${TAG:-1}\n";
        assertThat(bases(df)).containsExactly("docker.io/library/alpine:3.20", "localhost:5000/x:1");
    }

    @Test
    void continuationsCommentsAndCaseAreHandled() {
        String df = """
                # syntax=docker/dockerfile:1
                # a comment
                from \\
                  alpine:3.20 \\
                  as base

                run echo \\
                  done
                """;
        assertThat(bases(df)).containsExactly("docker.io/library/alpine:3.20");
    }

    @Test
    void escapeDirectiveIsHonoured() {
        assertThat(bases("# escape=`\nFROM `\n  alpine:3.20\n")).containsExactly("docker.io/library/alpine:3.20");
    }

    @Test
    void digestPinnedBasesKeepTheirDigest() {
        String d = "sha256:" + "a".repeat(64);
        assertThat(bases("FROM alpine:3.20@" + d + "\n")).containsExactly("docker.io/library/alpine:3.20@" + d);
    }

    @Test
    void aliasesApply() {
        var aliases = RegistryAliases.parse("127.0.0.1:5000=localhost:5000");
        assertThat(DockerfileBases.parse("FROM 127.0.0.1:5000/base:1\n", Map.of(), aliases).get(0).image().toString())
                .isEqualTo("localhost:5000/base:1");
    }

    @Test
    void unusableDockerfilesAreRejected() {
        assertThatThrownBy(() -> bases("RUN echo\n")).hasMessageContaining("no FROM");
        assertThatThrownBy(() -> bases("ARG X\nFROM $X\n")).hasMessageContaining("without a value");
        assertThatThrownBy(() -> bases("FROM\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void finalBaseFollowsStageReferences() {
        String df = "FROM localhost:5000/mid2:1 AS build\nFROM localhost:5000/mid1:1 AS runtime\nFROM runtime\nCOPY --from=build /x /x\n";
        var analysis = DockerfileBases.analyse(df, Map.of(), RegistryAliases.NONE);
        assertThat(analysis.finalBase()).hasValueSatisfying(b -> assertThat(b.toString()).isEqualTo("localhost:5000/mid1:1"));
        assertThat(analysis.all()).hasSize(2);
        assertThat(DockerfileBases.analyse("FROM scratch\n", Map.of(), RegistryAliases.NONE).finalBase()).isEmpty();
    }
}
