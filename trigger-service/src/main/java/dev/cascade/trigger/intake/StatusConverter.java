package dev.cascade.trigger.intake;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.Locale;

/** Stores {@link Delivery.Status} in lower case, as the table's check constraint names it. */
@Converter
public class StatusConverter implements AttributeConverter<Delivery.Status, String> {

    @Override
    public String convertToDatabaseColumn(Delivery.Status status) {
        return status == null ? null : status.dbValue();
    }

    @Override
    public Delivery.Status convertToEntityAttribute(String value) {
        return value == null ? null : Delivery.Status.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
