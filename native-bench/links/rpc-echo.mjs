// The RPC benchmark's server: one @Rpc method that returns its arguments.
import { defineLink } from '@catenae/core';

export const RpcEcho = defineLink({ name: 'RpcEcho', rpc: { echo: (args) => args } });
