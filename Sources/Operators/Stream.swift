import Dataflow
