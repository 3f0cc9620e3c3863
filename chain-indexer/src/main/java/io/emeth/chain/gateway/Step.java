package io.emeth.chain.gateway;

import io.emeth.schemas.avro.gateway.ChainAction;

/** One transaction of a command: which call, to which contract, with which calldata. */
record Step(ChainAction action, String to, String data) {}
