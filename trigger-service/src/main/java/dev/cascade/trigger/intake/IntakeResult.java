package dev.cascade.trigger.intake;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/** The answer to a webhook delivery: what was stored and which pipelines it started. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IntakeResult(UUID deliveryId, Delivery.Status status, UUID pipelineId, List<UUID> pipelineIds,
                           UUID duplicateOf, String reason) {

    static IntakeResult of(Delivery d, List<UUID> pipelineIds) {
        return new IntakeResult(d.id, d.status, d.pipelineId, pipelineIds.isEmpty() ? null : pipelineIds, d.duplicateOf, d.reason);
    }
}
