package io.emeth.chain.indexer;

import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainNodeEvent;

/** The name of the event inside an emission's envelope, for metrics and logs. */
final class EventTypes {
    private EventTypes() {}

    static String of(Emission emission) {
        Object payload;
        if (emission.value() instanceof ChainJobEvent e) {
            payload = e.getPayload();
        } else if (emission.value() instanceof ChainNodeEvent e) {
            payload = e.getPayload();
        } else if (emission.value() instanceof ChainAlert a) {
            payload = a.getPayload();
        } else {
            payload = emission.value();
        }
        return payload == null ? "null" : payload.getClass().getSimpleName();
    }
}
