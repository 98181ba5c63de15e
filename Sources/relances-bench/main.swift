print("relances-bench: not built yet")
