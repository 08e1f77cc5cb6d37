package dev.cascade.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.security.ApiTokens.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTokensTests {

    private static final String OPERATOR = "operator-token-0123456789";
    private static final String VIEWER = "viewer-token-0123456789";

    @Test
    void aConfiguredTokenHasItsRoleAndAnOperatorIsAlsoAViewer() {
        ApiTokens tokens = ApiTokens.of(List.of(OPERATOR), List.of(VIEWER));

        assertThat(tokens.holderOf(OPERATOR)).get().extracting(ApiTokens.Holder::role).isEqualTo(Role.OPERATOR);
        assertThat(tokens.holderOf(VIEWER)).get().extracting(ApiTokens.Holder::role).isEqualTo(Role.VIEWER);
        assertThat(Role.OPERATOR.grants()).containsExactlyInAnyOrder("operator", "viewer");
        assertThat(Role.VIEWER.grants()).containsExactly("viewer");
    }

    @Test
    void unknownEmptyAndAlteredTokensAreRefused() {
        ApiTokens tokens = ApiTokens.of(List.of(OPERATOR), List.of(VIEWER));

        assertThat(tokens.holderOf("operator-token-0123456788")).isEmpty();
        assertThat(tokens.holderOf(OPERATOR + " ")).isEmpty();
        assertThat(tokens.holderOf("")).isEmpty();
        assertThat(tokens.holderOf(null)).isEmpty();
        assertThat(ApiTokens.of(List.of(), List.of()).holderOf(OPERATOR)).isEmpty();
    }

    @Test
    void aTokenCanBeConfiguredByItsDigestAndTheHoldersNameDoesNotRevealIt() {
        ApiTokens tokens = ApiTokens.of(List.of(ApiTokens.digestOf(OPERATOR)), List.of(" ", ""));

        ApiTokens.Holder holder = tokens.holderOf(OPERATOR).orElseThrow();
        assertThat(holder.role()).isEqualTo(Role.OPERATOR);
        assertThat(holder.name()).startsWith("operator-token-").doesNotContain(OPERATOR).doesNotContain("0123456789");
        assertThat(tokens.holderOf(ApiTokens.digestOf(OPERATOR))).as("the digest is not itself a token").isEmpty();
    }

    @Test
    void aTokenListedForBothRolesIsAnOperator() {
        assertThat(ApiTokens.of(List.of(OPERATOR), List.of(OPERATOR)).holderOf(OPERATOR).orElseThrow().role())
                .isEqualTo(Role.OPERATOR);
    }

    @Test
    void shortTokensAndMalformedDigestsAreRejectedWithoutShowingTheValue() {
        assertThatThrownBy(() -> ApiTokens.of(List.of("short-secret"), List.of()))
                .hasMessage("operator token #1: at least 16 characters");
        assertThatThrownBy(() -> ApiTokens.of(List.of(), List.of(VIEWER, "sha256:abc")))
                .hasMessage("viewer token #2: sha256: needs 64 hex digits");
    }
}
