package io.emeth.master.jobs;

import io.emeth.schemas.avro.ModelRef;

/** A stored copy of a global model's claim check, to hand to the next round. */
record ModelRefData(String uri, String sha256, long sizeBytes) {
    static ModelRefData of(ModelRef ref) {
        return new ModelRefData(ref.getUri(), ref.getSha256(), ref.getSizeBytes());
    }

    ModelRef toAvro() {
        return ModelRef.newBuilder().setUri(uri).setSha256(sha256).setSizeBytes(sizeBytes).build();
    }
}
