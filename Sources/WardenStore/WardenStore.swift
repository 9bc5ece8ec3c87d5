/// Module `WardenStore`: see DESIGN.md, "Modules".
