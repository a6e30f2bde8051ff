import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { Controller } from "../controller";

export const ControllerContext = createContext<Controller | null>(null);

export function useController(): Controller {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error("the console's views need a Controller");
  return controller;
}
