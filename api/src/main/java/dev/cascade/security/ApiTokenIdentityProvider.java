package dev.cascade.security;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a bearer token into an identity with the token's roles, or fails the authentication. */
@ApplicationScoped
@Startup
public class ApiTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final ApiTokens tokens;

    public ApiTokenIdentityProvider(ApiTokenConfig config) {
        this.tokens = ApiTokens.of(config.operatorTokens().orElse(java.util.List.of()), config.viewerTokens().orElse(java.util.List.of()));
        if (tokens.isEmpty()) {
            Log.warn("no API tokens are configured (cascade.api.operator-tokens, cascade.api.viewer-tokens): "
                    + "every /api request will be refused");
        }
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return tokens.holderOf(request.getToken().getToken())
                .map(holder -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(holder.name()))
                        .addRoles(holder.role().grants())
                        .build()))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("unknown API token")));
    }
}
